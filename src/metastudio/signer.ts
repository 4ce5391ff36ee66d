// CONTRACT STUB - being implemented by the signer helper. Do not edit the signatures.
export interface SignableRequest {
  method: string;
  url: URL | string;
  headers: Record<string, string>;
  body?: string;
}

export interface AkSkCredentials {
  accessKey: string;
  secretKey: string;
}

export type VerifyResult = { ok: true; accessKey: string } | { ok: false; reason: string };

/** Returns the headers to add to the request: `X-Sdk-Date` and `Authorization`. */
export function signRequest(
  _request: SignableRequest,
  _credentials: AkSkCredentials,
  _now: Date = new Date(),
): Record<string, string> {
  throw new Error("not implemented yet");
}

export function verifyRequestSignature(
  _request: SignableRequest,
  _secretFor: (accessKey: string) => string | undefined,
  _now: Date = new Date(),
  _maxSkewMs = 15 * 60_000,
): VerifyResult {
  throw new Error("not implemented yet");
}
