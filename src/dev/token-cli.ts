import { mintToken } from "../infrastructure/auth/dev-token";
import { ROLES, type Role } from "../infrastructure/auth/principal";
import { commandLineOptions } from "../infrastructure/command-line";
import { loadConfig } from "../infrastructure/config";
import { DEMO_TENANT_ID, DEMO_USER_ID } from "./demo-tenant";
import { devJwtSecret } from "./dev-secret";

const USAGE = `usage: npm run token -- [--tenant <uuid>] [--user <uuid>] [--role <role>]... [--expires <duration>]

Prints a signed JWT for calling the service (Authorization: Bearer <token>).
  --tenant <uuid>       the tenant (default: the demo tenant ${DEMO_TENANT_ID})
  --user <uuid>         the user, claim sub (default: the demo user ${DEMO_USER_ID})
  --role <role>         ${ROLES.join(", ")}; repeat or comma-separate for several (default: admin)
  --expires <duration>  lifetime, e.g. 30m, 12h, 7d (default: 12h)
Signs with JWT_SECRET (or JWT_SECRET_FILE), else the dev secret \`npm start\` keeps under DATA_DIR (.data).`;

async function main(): Promise<void> {
  const values = commandLineOptions(USAGE, {
    tenant: { type: "string", default: DEMO_TENANT_ID },
    user: { type: "string", default: DEMO_USER_ID },
    role: { type: "string", multiple: true, default: ["admin"] },
    expires: { type: "string", default: "12h" },
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
