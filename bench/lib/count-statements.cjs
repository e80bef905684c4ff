// Preloaded into each benchmarked server (node --require): counts the SQL
// statements it sends through `pg`, as RULES.md counts them (BEGIN, COMMIT,
// ROLLBACK and the tenant set_config excluded), and reports them over HTTP.
const http = require("node:http");
const pg = require("pg");

let statements = 0;
const NOT_COUNTED = /^\s*(BEGIN|COMMIT|ROLLBACK|START TRANSACTION)\b|set_config\('app\.current_tenant_id'|"app\.current_tenant_id"|select set_config\(el->>0/i;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(config, ...rest) {
  const text = typeof config === "string" ? config : config?.text ?? "";
  if (!NOT_COUNTED.test(text)) statements += 1;
  return query.call(this, config, ...rest);
};

const port = Number(process.env.STATS_PORT);
if (port) {
  http
    .createServer((_req, res) => res.end(JSON.stringify({ statements })))
    .listen(port, "127.0.0.1")
    .unref();
}
