import { createRequire } from "node:module";

import { describe, expect, it } from "vitest";

import { sdkEncode, signRequest, verifyRequestSignature } from "../../src/metastudio/signer.js";

/** Huawei's own signer, from the official Node SDK (a devDependency only). */
interface SdkSigner {
  sign(
    request: {
      endpoint: string;
      method: string;
      headers: Record<string, string>;
      queryParams: Record<string, string | string[]>;
    },
    credential: { getAk(): string; getSk(): string },
  ): Record<string, string>;
}
const require = createRequire(import.meta.url);
const { AKSKSigner } = require("@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js") as {
  AKSKSigner: SdkSigner;
};

const credentials = { accessKey: "HPUAEXAMPLEAK0123", secretKey: "s3cr3t/SK+with=odd&chars" };
const now = new Date("2024-05-06T07:08:09Z");
const host = "https://metastudio.cn-north-4.myhuaweicloud.com";
const path = "/v1/70b76a1b2c3d4e5f60718293a4b5c6d7/smart-chat-rooms";

/** Signs with the SDK the same request our client would send, with the same headers and date. */
function sdkAuthorization(query: Record<string, string | string[]>, headers: Record<string, string>): string {
  const signed = AKSKSigner.sign(
    {
      endpoint: `${host}${path}`,
      method: "GET",
      headers: { ...headers, "X-Sdk-Date": "20240506T070809Z" },
      queryParams: query,
    },
    { getAk: () => credentials.accessKey, getSk: () => credentials.secretKey },
  );
  return signed.Authorization!;
}

/** Our side: the query string is built the way the client builds it. */
function ourAuthorization(query: Record<string, string | string[]>, headers: Record<string, string>): string {
  const search = Object.entries(query)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((value) => `${sdkEncode(k)}=${sdkEncode(value)}`))
    .join("&");
  const url = `${host}${path}${search ? `?${search}` : ""}`;
  return signRequest({ method: "GET", url, headers }, credentials, now).Authorization!;
}

const projectHeaders = { "X-Project-Id": "70b76a1b2c3d4e5f60718293a4b5c6d7" };

describe("signRequest matches the official SDK", () => {
  const cases: Array<[string, Record<string, string | string[]>, Record<string, string>]> = [
    ["a plain page", { offset: "0", limit: "100" }, projectHeaders],
    [
      "RFC 3339 times with ':'",
      { offset: "200", limit: "100", start_time: "2024-01-01T00:00:00Z", end_time: "2024-01-31T23:59:59Z" },
      projectHeaders,
    ],
    ["spaces in a value", { room_name: "Exhibition hall with Sara", limit: "10" }, projectHeaders],
    ["non-ASCII text", { room_name: "展厅 Sara 😀 café", model_name: "数字人" }, projectHeaders],
    ["reserved characters", { room_name: "a+b/c~d*e'f(g)h!i&j=k%l" }, projectHeaders],
    ["unsorted keys", { z: "1", a: "2", m: "3", A: "4", _x: "5" }, projectHeaders],
    ["repeated keys", { tag: ["b", "a", "c"], limit: "5" }, projectHeaders],
    ["an empty query", {}, projectHeaders],
    ["X-App-UserId", { offset: "0" }, { ...projectHeaders, "X-App-UserId": "user-42" }],
  ];
  for (const [name, query, headers] of cases) {
    it(name, () => {
      expect(ourAuthorization(query, headers)).toBe(sdkAuthorization(query, headers));
    });
  }

  it("sends the date in the SDK's format", () => {
    expect(
      signRequest({ method: "GET", url: `${host}${path}`, headers: {} }, credentials, now)["X-Sdk-Date"],
    ).toBe("20240506T070809Z");
  });
});

describe("verifyRequestSignature", () => {
  const url = `${host}${path}?offset=0&limit=100&room_name=${sdkEncode("展厅 A")}`;
  const signed = (headers = projectHeaders, at = now) => ({
    method: "GET",
    url,
    headers: {
      ...headers,
      host: "metastudio.cn-north-4.myhuaweicloud.com",
      ...signRequest({ method: "GET", url, headers }, credentials, at),
    },
  });
  const secretFor = (ak: string) => (ak === credentials.accessKey ? credentials.secretKey : undefined);

  it("accepts what signRequest signed", () => {
    expect(verifyRequestSignature(signed(), secretFor, now)).toEqual({
      ok: true,
      accessKey: credentials.accessKey,
    });
  });

  it("rejects a tampered query value", () => {
    const request = { ...signed(), url: url.replace("offset=0", "offset=100") };
    expect(verifyRequestSignature(request, secretFor, now)).toEqual({
      ok: false,
      reason: "signature mismatch",
    });
  });

  it("rejects a tampered signed header", () => {
    const request = signed();
    request.headers["X-Project-Id"] = "another";
    expect(verifyRequestSignature(request, secretFor, now)).toMatchObject({
      ok: false,
      reason: "signature mismatch",
    });
  });

  it("rejects a wrong secret and an unknown access key", () => {
    expect(verifyRequestSignature(signed(), () => "wrong", now)).toMatchObject({
      ok: false,
      reason: "signature mismatch",
    });
    expect(verifyRequestSignature(signed(), () => undefined, now)).toMatchObject({
      ok: false,
      reason: "unknown access key",
    });
  });

  it("rejects a stale X-Sdk-Date", () => {
    const old = new Date(now.getTime() - 16 * 60_000);
    expect(verifyRequestSignature(signed(projectHeaders, old), secretFor, now)).toMatchObject({
      ok: false,
      reason: "stale X-Sdk-Date",
    });
  });

  it("rejects a request without Authorization or with a signed header missing", () => {
    const request = signed();
    expect(verifyRequestSignature({ ...request, headers: { host: "x" } }, secretFor, now)).toMatchObject({
      ok: false,
    });
    const { ["X-Project-Id"]: _dropped, ...rest } = request.headers;
    expect(verifyRequestSignature({ ...request, headers: rest }, secretFor, now)).toMatchObject({
      ok: false,
      reason: "signed header x-project-id is missing",
    });
  });

  it("never puts the secret key in a reason", () => {
    const result = verifyRequestSignature({ ...signed(), url: `${url}&x=1` }, secretFor, now);
    expect(JSON.stringify(result)).not.toContain(credentials.secretKey);
  });
});
