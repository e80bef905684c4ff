import { Client } from "pg";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/infrastructure/config";
import { createLogger } from "../../src/infrastructure/logger";
import { maskSecrets, safeError } from "../../src/infrastructure/secret-masking";

// Passwords and full connection URLs never reach a log line or a printed error.

const URL_WITH_PASSWORD = "postgres://crm_app:s3cr%40t-Pa55@db.internal:5432/crm";

function logged(write: (logger: ReturnType<typeof createLogger>) => void): string {
  const lines: string[] = [];
  write(createLogger("info", { write: (line: string) => void lines.push(line) }));
  return lines.join("\n");
}

describe("masking credentials", () => {
  it("masks the password of any URL in a text and keeps the rest readable", () => {
    const text = `cannot reach ${URL_WITH_PASSWORD} nor redis://:hunter2@cache:6379/0; ok: postgres://reader@replica/crm`;
    const masked = maskSecrets(text);
    expect(masked).toBe("cannot reach postgres://crm_app:***@db.internal:5432/crm nor redis://:***@cache:6379/0; ok: postgres://reader@replica/crm");
  });

  it("masks password fields written as key=value or key: 'value'", () => {
    expect(maskSecrets("host=db password=hunter2 user=x")).toBe("host=db password=*** user=x");
    expect(maskSecrets("{ user: 'x', password: 'hunter2' }")).toBe("{ user: 'x', password: '***' }");
  });

  it("shows a pg error without the client it carries (whose parameters hold the password)", () => {
    const error = Object.assign(new Error("terminating connection due to administrator command"), {
      code: "57P01",
      severity: "FATAL",
      client: new Client({ connectionString: URL_WITH_PASSWORD }),
    });
    const shown = JSON.stringify(safeError(error));
    expect(shown).toContain("57P01");
    expect(shown).not.toContain("s3cr");
    expect(shown).not.toContain("client");
  });

  it("the service's logger masks errors and messages", () => {
    const error = Object.assign(new Error(`connect failed for ${URL_WITH_PASSWORD}`), { client: { password: "s3cr@t-Pa55" } });
    const output = logged((logger) => {
      logger.warn({ err: error }, "database connection lost");
      logger.error(error);
      logger.info(`retrying ${URL_WITH_PASSWORD}`);
    });
    expect(output).toContain("crm_app:***@db.internal");
    expect(output).not.toMatch(/s3cr/);
  });

  it("a configuration error never echoes a password", () => {
    expect(new ConfigError("DATABASE_URL", `is not reachable: ${URL_WITH_PASSWORD}`).message).not.toContain("s3cr");
  });
});
