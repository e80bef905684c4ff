import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AuthState } from "../../src/infrastructure/auth/principal";
import { withVerifiedTokenCache } from "../../src/infrastructure/auth/verified-token-cache";
import { createTokenVerifier } from "../../src/infrastructure/auth/token-verifier";
import { mintToken } from "../../src/infrastructure/auth/dev-token";

const SECRET = "a-secret-that-is-long-enough-for-hs256-0123";

/** The real verifier, counting how often it really verifies. */
function countingVerifier() {
  const verify = createTokenVerifier({ secret: SECRET });
  const counted = { calls: 0, authenticate: async (header: string | null | undefined): Promise<AuthState> => (counted.calls++, verify(header)) };
  return counted;
}

const aToken = (expiresIn = "1h") => mintToken({ secret: SECRET, tenantId: randomUUID(), userId: randomUUID(), roles: ["viewer"], expiresIn });

describe("withVerifiedTokenCache", () => {
  it("verifies a token once and answers the same for it until the cache's limit", async () => {
    let clock = Date.now();
    const verifier = countingVerifier();
    const authenticate = withVerifiedTokenCache(verifier.authenticate, { maxAgeMs: 60_000, now: () => clock });
    const header = `Bearer ${await aToken()}`;
    const first = await authenticate(header);
    expect(first.kind).toBe("authenticated");
    expect(await authenticate(header)).toEqual(first);
    expect(verifier.calls).toBe(1);
    clock += 61_000;
    expect(await authenticate(header)).toEqual(first);
    expect(verifier.calls).toBe(2);
  });

  it("never answers for a token past its expiry (plus the verifier's tolerance)", async () => {
    let clock = Date.now();
    const verifier = countingVerifier();
    const authenticate = withVerifiedTokenCache(verifier.authenticate, { maxAgeMs: 3_600_000, now: () => clock });
    const header = `Bearer ${await aToken("2s")}`;
    expect((await authenticate(header)).kind).toBe("authenticated");
    clock += 2_000 + 30_000 + 1_000;
    await authenticate(header);
    expect(verifier.calls).toBe(2);
  });

  it("keeps no refusal, and forgets the least recently used token beyond its size", async () => {
    const verifier = countingVerifier();
    const authenticate = withVerifiedTokenCache(verifier.authenticate, { maxEntries: 2 });
    const bad = `Bearer ${(await aToken()).slice(0, -2)}xx`;
    expect((await authenticate(bad)).kind).toBe("rejected");
    expect((await authenticate(bad)).kind).toBe("rejected");
    expect(verifier.calls).toBe(2);

    const [a, b, c] = await Promise.all([aToken(), aToken(), aToken()]).then((tokens) => tokens.map((t) => `Bearer ${t}`));
    await authenticate(a);
    await authenticate(b);
    await authenticate(a); // a is now the most recent
    await authenticate(c); // b goes
    const before = verifier.calls;
    await authenticate(a);
    await authenticate(c);
    expect(verifier.calls).toBe(before);
    await authenticate(b);
    expect(verifier.calls).toBe(before + 1);
  });
});
