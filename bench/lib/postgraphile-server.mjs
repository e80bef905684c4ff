// PostGraphile V5 over the same database, role and RLS policies, with the
// tenant taken from the same JWT: the peer the subgraph is measured against.
if (!Promise.withResolvers) {
  // Node 20 lacks it; PostGraphile 5 needs it (STACK.md).
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
  pgServices: [
    makePgService({ connectionString: process.env.DATABASE_URL, schemas: ["public"], poolMaxSize: 10 }),
  ],
  grafserv: { graphqlPath: "/graphql", websockets: false },
  grafast: {
    explain: false,
    // The tenant from the verified JWT, set per transaction like the service does.
    async context(requestContext) {
      const header = requestContext.node?.req?.headers?.authorization ?? "";
      const { payload } = await jwtVerify(header.replace(/^Bearer /, ""), secret, { algorithms: ["HS256"] });
      return { pgSettings: { "app.current_tenant_id": String(payload.tenant_id) } };
    },
  },
};
const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
serv.addTo(server);
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("ready"));
process.on("SIGTERM", async () => {
  server.close();
  await pgl.release();
  process.exit(0);
});
