import { readFileSync } from "node:fs";
import { ConfigError } from "./config";

const REFERENCE = /^vault:([^#]+)#(.+)$/;

/**
 * Replaces values written `vault:<mount>/<path>#<key>` with the key's value
 * from Vault's KV v2 HTTP API (GET /v1/<mount>/data/<path>), once at start.
 * Needs VAULT_ADDR and VAULT_TOKEN (or VAULT_TOKEN_FILE) when any reference is used.
 */
export async function resolveVaultReferences(
  env: NodeJS.ProcessEnv,
  fetchImpl: typeof fetch = fetch,
): Promise<NodeJS.ProcessEnv> {
  const references = Object.entries(env).filter(([, value]) => value?.startsWith("vault:"));
  if (references.length === 0) return env;
  const address = env.VAULT_ADDR;
  const token = env.VAULT_TOKEN ?? (env.VAULT_TOKEN_FILE ? readFileSync(env.VAULT_TOKEN_FILE, "utf8").trim() : undefined);
  const [firstName] = references[0];
  if (!address) throw new ConfigError("VAULT_ADDR", `is required: ${firstName} refers to Vault`);
  if (!token) throw new ConfigError("VAULT_TOKEN", `is required: ${firstName} refers to Vault`);

  const documents = new Map<string, Promise<Record<string, unknown>>>();
  const read = (mount: string, path: string) => {
    const url = `${address.replace(/\/$/, "")}/v1/${mount}/data/${path}`;
    if (!documents.has(url)) {
      documents.set(
        url,
        fetchImpl(url, { headers: { "x-vault-token": token }, signal: AbortSignal.timeout(5000) }).then(async (response) => {
          if (!response.ok) throw new Error(`Vault answered HTTP ${response.status} for ${mount}/${path}`);
          const body = (await response.json()) as { data?: { data?: Record<string, unknown> } };
          return body.data?.data ?? {};
        }),
      );
    }
    return documents.get(url) as Promise<Record<string, unknown>>;
  };

  const resolved: NodeJS.ProcessEnv = { ...env };
  for (const [name, value] of references) {
    const match = REFERENCE.exec(value as string);
    const [mount, ...rest] = match?.[1].split("/") ?? [];
    if (!match || !mount || rest.length === 0) throw new ConfigError(name, "must look like vault:<mount>/<path>#<key>");
    let secret: unknown;
    try {
      secret = (await read(mount, rest.join("/")))[match[2]];
    } catch (error) {
      throw new ConfigError(name, `could not be read from Vault: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (typeof secret !== "string" && typeof secret !== "number") throw new ConfigError(name, `has no key "${match[2]}" in Vault at ${match[1]}`);
    resolved[name] = String(secret);
  }
  return resolved;
}
