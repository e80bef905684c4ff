// PostGraphile V5 (amber preset, grafserv on node:http) over the same
// database, runtime role and RLS policies, with the tenant taken from the
// same JWT: pgSettings sets app.current_tenant_id per transaction, as the
// service's set_config does. The peer the subgraph is measured against.
// Schema bench_api holds its equal-work writes (bench/sql/postgraphile-equal-work.sql:
// captureLead, logLeadActivity, tagLead as PL/pgSQL functions, exposed as mutations).
if (!Promise.withResolvers) {
  // Node 20 lacks it; PostGraphile 5 needs it or every connection is null (STACK.md).
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };
}
const { createServer } = await import("node:http");
const { jwtVerify } = await import("jose");
const { postgraphile } = await import("postgraphile");
const { PostGraphileAmberPreset } = await import("postgraphile/presets/amber");
const { makePgService } = await import("postgraphile/adaptors/pg");
const { grafserv } = await import("postgraphile/grafserv/node");

const secret = new TextEncoder().encode(process.env.JWT_SECRET);
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ["public", "bench_api"], poolMaxSize: Number(process.env.DATABASE_POOL_MAX ?? 10) })],
  grafserv: { graphqlPath: "/graphql", websockets: false },
  grafast: {
    explain: false,
    async context(requestContext) {
      const header = requestContext.node?.req?.headers?.authorization ?? "";
      const { payload } = await jwtVerify(header.replace(/^Bearer /, ""), secret, { algorithms: ["HS256"] });
      // The user id too, as PostGraphile users pass JWT claims: the equal-work writes record it as the events' actor.
      return { pgSettings: { "app.current_tenant_id": String(payload.tenant_id), "app.current_user_id": String(payload.sub ?? "") } };
    },
  },
};
const pgl = postgraphile(preset);
await pgl.getSchema(); // introspect before saying ready
const serv = pgl.createServ(grafserv);
const server = createServer();
serv.addTo(server);
server.listen(Number(process.env.PORT), process.env.HOST ?? "127.0.0.1", () => console.log("ready"));
process.once("SIGTERM", () => {
  server.close();
  Promise.resolve(pgl.release()).finally(() => process.exit(0));
});
