import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Huawei Cloud API Gateway request signing (`SDK-HMAC-SHA256`), byte-for-byte what the official
 * SDKs send: the gateway recomputes the signature from the request it receives, so any
 * difference in encoding or ordering is a 401.
 */
export interface SignableRequest {
  method: string;
  url: URL | string;
  /** Headers that will be sent; every one of them is signed, as the SDK does. */
  headers: Record<string, string>;
  body?: string;
}

export interface AkSkCredentials {
  accessKey: string;
  secretKey: string;
}

export type VerifyResult = { ok: true; accessKey: string } | { ok: false; reason: string };

export const ALGORITHM = "SDK-HMAC-SHA256";
const EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** `YYYYMMDD'T'HHMMSS'Z'` in UTC, the `X-Sdk-Date` format. */
export function formatSdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
}

export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * RFC 3986 percent-encoding of UTF-8 bytes, leaving only `A-Z a-z 0-9 - _ . ~`: stricter than
 * encodeURIComponent, which leaves `! ' ( ) *` alone where the SDK encodes them.
 */
export function sdkEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Path segments encoded one by one, and always a trailing slash: the SDK appends one. */
export function canonicalUri(pathname: string): string {
  const encoded = pathname
    .split("/")
    .map((segment) => sdkEncode(decodeURIComponent(segment)))
    .join("/");
  return encoded.endsWith("/") ? encoded : `${encoded}/`;
}

/** Keys sorted by UTF-16 code unit (plain `sort()`), repeated keys' values sorted too. */
export function canonicalQueryString(searchParams: URLSearchParams): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of searchParams) grouped.set(key, [...(grouped.get(key) ?? []), value]);
  return [...grouped.keys()]
    .sort()
    .flatMap((key) => [...grouped.get(key)!].sort().map((value) => `${sdkEncode(key)}=${sdkEncode(value)}`))
    .join("&");
}

function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

function signature(
  request: SignableRequest,
  headers: Record<string, string>,
  sdkDate: string,
  secretKey: string,
) {
  const url = typeof request.url === "string" ? new URL(request.url) : request.url;
  const names = Object.keys(headers)
    .map((name) => name.toLowerCase())
    .sort();
  const lowered = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQueryString(url.searchParams),
    names.map((name) => `${name}:${lowered[name]}\n`).join(""),
    names.join(";"),
    request.body ? sha256Hex(request.body) : EMPTY_BODY_SHA256,
  ].join("\n");
  const stringToSign = [ALGORITHM, sdkDate, sha256Hex(canonicalRequest)].join("\n");
  return {
    signedHeaders: names.join(";"),
    value: createHmac("sha256", secretKey).update(stringToSign).digest("hex"),
  };
}

/** Returns the headers to add to the request: `X-Sdk-Date` and `Authorization`. */
export function signRequest(
  request: SignableRequest,
  credentials: AkSkCredentials,
  now: Date = new Date(),
): Record<string, string> {
  const url = typeof request.url === "string" ? new URL(request.url) : request.url;
  const sdkDate = formatSdkDate(now);
  const headers = { ...request.headers, "X-Sdk-Date": sdkDate, host: url.host };
  const { signedHeaders, value } = signature(request, headers, sdkDate, credentials.secretKey);
  return {
    "X-Sdk-Date": sdkDate,
    Authorization: `${ALGORITHM} Access=${credentials.accessKey}, SignedHeaders=${signedHeaders}, Signature=${value}`,
  };
}

/**
 * The gateway's side, for the simulator: recomputes the signature over the headers the request
 * says it signed. Reasons never contain the secret key.
 */
export function verifyRequestSignature(
  request: SignableRequest,
  secretFor: (accessKey: string) => string | undefined,
  now: Date = new Date(),
  maxSkewMs = 15 * 60_000,
): VerifyResult {
  const lowered = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const match = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(
    lowered.authorization ?? "",
  );
  if (!match) return { ok: false, reason: "missing or malformed Authorization" };
  const [, accessKey = "", signedHeaders = "", given = ""] = match;
  const sdkDate = lowered["x-sdk-date"];
  const date = sdkDate ? parseSdkDate(sdkDate) : undefined;
  if (!sdkDate || !date) return { ok: false, reason: "missing or malformed X-Sdk-Date" };
  if (Math.abs(now.getTime() - date.getTime()) > maxSkewMs) return { ok: false, reason: "stale X-Sdk-Date" };
  const secretKey = secretFor(accessKey);
  if (secretKey === undefined) return { ok: false, reason: "unknown access key" };
  const names = signedHeaders.split(";");
  if (!names.includes("x-sdk-date") || !names.includes("host")) {
    return { ok: false, reason: "host and x-sdk-date must be signed" };
  }
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = lowered[name];
    if (value === undefined) return { ok: false, reason: `signed header ${name} is missing` };
    headers[name] = value;
  }
  const expected = signature(request, headers, sdkDate, secretKey).value;
  const ok = expected.length === given.length && timingSafeEqual(Buffer.from(expected), Buffer.from(given));
  return ok ? { ok: true, accessKey } : { ok: false, reason: "signature mismatch" };
}
