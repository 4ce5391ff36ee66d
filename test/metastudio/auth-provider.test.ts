import { Agent } from "undici";
import { describe, expect, it } from "vitest";

import { createLogger } from "../../src/logger.js";
import { createAuthProvider } from "../../src/metastudio/auth-provider.js";
import { verifyRequestSignature } from "../../src/metastudio/signer.js";

describe("AK/SK with a security token (temporary credentials)", () => {
  it("sends X-Security-Token and signs it, as huaweicloud-sdk-core does", async () => {
    const auth = createAuthProvider(
      { kind: "aksk", accessKey: "AK", secretKey: "SK", securityToken: "temp-token" },
      { dispatcher: new Agent(), timeoutMs: 1000, logger: createLogger("silent") },
    );
    const url = new URL("https://metastudio.example.com/v1/p1/smart-chat-rooms?offset=0");
    const { headers } = await auth.authorize({ method: "GET", url, projectId: "p1", headers: {} });
    expect(headers["X-Security-Token"]).toBe("temp-token");
    expect(headers.Authorization).toMatch(/SignedHeaders=[^,]*x-security-token/);
    const verified = verifyRequestSignature(
      { method: "GET", url, headers: { ...headers, host: url.host } },
      (ak) => (ak === "AK" ? "SK" : undefined),
    );
    expect(verified).toEqual({ ok: true, accessKey: "AK" });
    // A token changed after signing no longer verifies: it is covered by the signature.
    const tampered = verifyRequestSignature(
      { method: "GET", url, headers: { ...headers, host: url.host, "X-Security-Token": "other" } },
      (ak) => (ak === "AK" ? "SK" : undefined),
    );
    expect(tampered.ok).toBe(false);
  });

  it("sends no X-Security-Token for a permanent AK/SK", async () => {
    const auth = createAuthProvider(
      { kind: "aksk", accessKey: "AK", secretKey: "SK" },
      { dispatcher: new Agent(), timeoutMs: 1000, logger: createLogger("silent") },
    );
    const url = new URL("https://metastudio.example.com/v1/p1/smart-chat-rooms");
    const { headers } = await auth.authorize({ method: "GET", url, projectId: "p1", headers: {} });
    expect(headers).not.toHaveProperty("X-Security-Token");
  });
});
