import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/infrastructure/config";
import { refusal } from "../support/config-refusal";
import { resolveVaultReferences } from "../../src/infrastructure/vault-secrets";

describe("configuration", () => {
  it("refuses bad values with one line naming the variable", () => {
    expect(refusal({ DATABASE_URL: "not-a-url" })).toMatch(/^Invalid configuration: DATABASE_URL /);
    expect(refusal({ PORT: "abc" })).toMatch(/PORT/);
    expect(refusal({ JWT_SECRET: "short" })).toMatch(/JWT_SECRET/);
    expect(refusal({ REDIS_URL: "http://redis" })).toMatch(/REDIS_URL/);
    expect(refusal({ NODE_ENV: "production", JWT_SECRET: "x".repeat(40) })).toMatch(/DATABASE_URL/);
    expect(refusal({ NODE_ENV: "production", DATABASE_URL: "postgres://db/crm" })).toMatch(/JWT_SECRET/);
    for (const message of [refusal({ DATABASE_URL: "not-a-url" }), refusal({ PORT: "-1" })]) expect(message).not.toContain("\n");
  });

  it("idempotency and rate-limit settings: defaults from RULES, bad values refused by name", () => {
    const defaults = loadConfig({});
    expect(defaults.idempotencyTtlSeconds).toBe(86_400);
    expect(defaults.rateLimits).toEqual({ tenantRequestsPerSecond: 200, tenantBurst: 400, tenantSubscriptions: 1000 });
    expect(defaults.faultAfterCommit).toBeNull();
    expect(loadConfig({ RATE_LIMIT_TENANT_RPS: "0.5" }).rateLimits.tenantRequestsPerSecond).toBe(0.5);
    expect(refusal({ IDEMPOTENCY_TTL_SECONDS: "0" })).toMatch(/IDEMPOTENCY_TTL_SECONDS/);
    expect(refusal({ RATE_LIMIT_TENANT_RPS: "0" })).toMatch(/RATE_LIMIT_TENANT_RPS/);
    expect(refusal({ RATE_LIMIT_TENANT_BURST: "1.5" })).toMatch(/RATE_LIMIT_TENANT_BURST/);
    expect(refusal({ RATE_LIMIT_TENANT_SUBSCRIPTIONS: "none" })).toMatch(/RATE_LIMIT_TENANT_SUBSCRIPTIONS/);
    expect(refusal({ CRM_FAULT_AFTER_COMMIT: "explode" })).toMatch(/CRM_FAULT_AFTER_COMMIT/);
  });

  it("reads a secret from X_FILE, and refuses X and X_FILE together", () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-secret-"));
    try {
      const file = join(dir, "jwt");
      writeFileSync(file, `${"s".repeat(40)}\n`);
      expect(loadConfig({ JWT_SECRET_FILE: file }).jwt.secret).toBe("s".repeat(40));
      expect(refusal({ JWT_SECRET_FILE: file, JWT_SECRET: "t".repeat(40) })).toMatch(/JWT_SECRET/);
      expect(refusal({ JWT_SECRET_FILE: join(dir, "missing") })).toMatch(/JWT_SECRET_FILE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Vault references", () => {
  let vault: Server;
  let address: string;
  beforeAll(async () => {
    // Vault's KV v2 HTTP API, as far as the service uses it.
    vault = createServer((req, res) => {
      if (req.headers["x-vault-token"] !== "root-token") return void res.writeHead(403).end('{"errors":["permission denied"]}');
      if (req.url === "/v1/secret/data/crm") return void res.writeHead(200).end(JSON.stringify({ data: { data: { jwt: "j".repeat(40), db: "postgres://app@db/crm" } } }));
      res.writeHead(404).end('{"errors":[]}');
    });
    await new Promise<void>((resolve) => vault.listen(0, "127.0.0.1", resolve));
    address = `http://127.0.0.1:${(vault.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => vault.close(resolve)));

  it("resolves vault:<mount>/<path>#<key> at start", async () => {
    const env = await resolveVaultReferences({ JWT_SECRET: "vault:secret/crm#jwt", DATABASE_URL: "vault:secret/crm#db", VAULT_ADDR: address, VAULT_TOKEN: "root-token" });
    const config = loadConfig(env);
    expect(config.jwt.secret).toBe("j".repeat(40));
    expect(config.database.url).toBe("postgres://app@db/crm");
  });

  it("names the variable when Vault refuses, the key is missing or Vault is not configured", async () => {
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [{ JWT_SECRET: "vault:secret/crm#jwt", VAULT_ADDR: address, VAULT_TOKEN: "wrong" }, /JWT_SECRET.*403/],
      [{ JWT_SECRET: "vault:secret/crm#nope", VAULT_ADDR: address, VAULT_TOKEN: "root-token" }, /JWT_SECRET.*nope/],
      [{ JWT_SECRET: "vault:secret/crm#jwt", VAULT_TOKEN: "root-token" }, /VAULT_ADDR/],
      [{ JWT_SECRET: "vault:nokey", VAULT_ADDR: address, VAULT_TOKEN: "root-token" }, /JWT_SECRET/],
    ];
    for (const [env, message] of cases) {
      await expect(resolveVaultReferences(env)).rejects.toThrow(message);
      await expect(resolveVaultReferences(env)).rejects.toBeInstanceOf(ConfigError);
    }
  });
});
