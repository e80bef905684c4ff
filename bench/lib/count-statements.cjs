// Preloaded into each benchmarked server (node --require): counts what the
// server sends to PostgreSQL through `pg` (the driver under Prisma's adapter,
// PostGraphile's adaptor and the raw server alike). `statements` counts as
// docs/domain.md does (BEGIN, COMMIT, ROLLBACK and the tenant set_config excluded);
// `roundTrips` counts everything; `shapes` counts each statement's first
// words, to see what a request costs. Served as JSON on STATS_PORT.
const http = require("node:http");
const pg = require("pg");

const NOT_COUNTED = /^\s*(BEGIN|COMMIT|ROLLBACK|START TRANSACTION)\b|set_config\('app\.current_tenant_id'|select set_config\(el->>0/i;
const stats = { statements: 0, roundTrips: 0, shapes: {} };
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(config, ...rest) {
  const text = typeof config === "string" ? config : (config?.text ?? "");
  stats.roundTrips += 1;
  if (!NOT_COUNTED.test(text)) stats.statements += 1;
  const shape = text.replace(/\s+/g, " ").trim().slice(0, 70);
  stats.shapes[shape] = (stats.shapes[shape] ?? 0) + 1;
  return query.call(this, config, ...rest);
};

const port = Number(process.env.STATS_PORT);
if (port) {
  http
    .createServer((_req, res) => res.end(JSON.stringify(stats)))
    .listen(port, "127.0.0.1")
    .unref();
}
