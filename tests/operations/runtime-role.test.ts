import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCrmService } from "../../src/composition-root";
import { ConfigError, loadConfig } from "../../src/infrastructure/config";
import { createLogger } from "../../src/infrastructure/logger";
import { createTestDatabase, type TestDatabase } from "../support/test-database";
import { TEST_JWT_SECRET } from "../support/test-service";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

const start = (url: string, nodeEnv: string) =>
  startCrmService(loadConfig({ NODE_ENV: nodeEnv, HOST: "127.0.0.1", PORT: "0", DATABASE_URL: url, JWT_SECRET: TEST_JWT_SECRET }), {
    logger: createLogger("silent"),
  });

describe("the role the service connects as", () => {
  it("in production, refuses a role that RLS does not bind (here the superuser that owns the tables)", async () => {
    const refused = await start(database.adminUrl, "production").then(
      async (service) => {
        await service.stop();
        return null;
      },
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toMatch(/^Invalid configuration: DATABASE_URL .*superuser.*owns the CRM tables/);
  });

  it("starts with the runtime role that owns nothing", async () => {
    const service = await start(database.runtimeUrl, "production");
    await service.stop();
  });
});
