import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ApolloServerErrorCode } from "@apollo/server/errors";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/graphql/error-codes";
import { createErrorFormatter } from "../../src/graphql/errors";

const root = join(__dirname, "..", "..");

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === "generated") continue;
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (name.endsWith(".ts") && name !== "error-codes.ts") yield path;
  }
}

// The ways the code raises a code: GraphQLError extensions, DomainError subclasses, HTTP-level
// answers, the operation pipeline's `coded`, and the subscription's resume refusals.
const RAISING = [
  /\bcode: "([A-Z][A-Z_]+)"/g,
  /\breadonly code = "([A-Z][A-Z_]+)"/g,
  /\bhttpErrorResponse\(\d+, "([A-Z][A-Z_]+)"/g,
  /\bsendError\([^;]*?"([A-Z][A-Z_]+)"\)/g,
  /\bcoded\([^;]*?"([A-Z][A-Z_]+)"[,)]/g,
  /RefusedError\("([A-Z][A-Z_]+)"/g,
];

function codesRaisedIn(text: string): Set<string> {
  return new Set(RAISING.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1])));
}

const raised = new Set([...sources(join(root, "src"))].flatMap((file) => [...codesRaisedIn(readFileSync(file, "utf8"))]));
const catalogued = new Set(ERROR_CODES.map((entry) => entry.code));

describe("the error codes of src/graphql/error-codes.ts (the API reference's error page)", () => {
  it("include every code the source raises", () => {
    expect([...raised].filter((code) => !catalogued.has(code)).sort()).toEqual([]);
  });

  it("are each raised by the source or by Apollo Server itself, none listed twice", () => {
    const apollo = new Set<string>(Object.values(ApolloServerErrorCode));
    expect(ERROR_CODES.filter(({ code }) => !raised.has(code) && !apollo.has(code)).map(({ code }) => code)).toEqual([]);
    expect(catalogued.size).toBe(ERROR_CODES.length);
  });

  it("are the README's error list", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(ERROR_CODES.filter(({ code }) => !readme.includes(`\`${code}\``)).map(({ code }) => code)).toEqual([]);
  });

  it("decide what the formatter lets through: a formatted code as it is, anything else masked", () => {
    const masked: unknown[] = [];
    const format = createErrorFormatter((error) => masked.push(error));
    for (const { code, formatted } of ERROR_CODES) {
      const shown = format({ message: "m", extensions: { code } }, new Error("cause"));
      expect(shown.extensions?.code, code).toBe(formatted ? code : "INTERNAL_SERVER_ERROR");
    }
    expect(masked).toHaveLength(ERROR_CODES.filter(({ formatted }) => !formatted).length);
  });

  it("the scan finds the ways a code is raised", () => {
    const sample = [
      'new GraphQLError("x", { extensions: { code: "ONE" } })',
      'readonly code = "TWO";',
      'httpErrorResponse(409, "THREE", "busy")',
      'coded(message, "FOUR", syntax)',
      'new ResumeRefusedError("FIVE", "reload")',
      'sendError(res, 400, error.message, "SIX")',
    ].join("\n");
    expect([...codesRaisedIn(sample)].sort()).toEqual(["FIVE", "FOUR", "ONE", "SIX", "THREE", "TWO"]);
  });
});
