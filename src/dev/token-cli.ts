import { parseArgs } from "node:util";
import { mintToken } from "../infrastructure/auth/dev-token";
import { ROLES, type Role } from "../infrastructure/auth/principal";
import { loadConfig } from "../infrastructure/config";
import { DEMO_TENANT_ID, DEMO_USER_ID } from "./demo-tenant";
import { devJwtSecret } from "./dev-secret";

// npm run token -- --tenant <uuid> --role admin [--role viewer] [--user <uuid>] [--expires 12h]
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tenant: { type: "string", default: DEMO_TENANT_ID },
      user: { type: "string", default: DEMO_USER_ID },
      role: { type: "string", multiple: true, default: ["admin"] },
      expires: { type: "string", default: "12h" },
    },
  });
  const roles = (values.role ?? []).flatMap((role) => role.split(",")).map((role) => role.trim());
  const unknown = roles.filter((role) => !ROLES.includes(role as Role));
  if (unknown.length) throw new Error(`unknown role(s) ${unknown.join(", ")}; known: ${ROLES.join(", ")}`);
  const config = loadConfig();
  const secret = config.jwt.secret ?? devJwtSecret(config.dataDir, { create: false });
  if (!secret) throw new Error("no JWT_SECRET and no dev secret under DATA_DIR yet: run `npm start` once, or set JWT_SECRET");
  const token = await mintToken({
    secret,
    tenantId: String(values.tenant),
    userId: String(values.user),
    roles: roles as Role[],
    expiresIn: String(values.expires),
  });
  console.log(token);
}

main().catch((error: unknown) => {
  console.error(`token: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
