import { expect } from "vitest";
import { ConfigError, loadConfig } from "../../src/infrastructure/config";

/** The one-line message with which loadConfig refuses `env` (fails the test if it is accepted). */
export function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected the configuration to be refused");
}
