import type { IncomingMessage } from "node:http";

import type { RequestRoute } from "./request-route.js";

export interface SimulatorRequestLog {
  method: string;
  path: string;
  query: Record<string, string>;
  /**
   * The status answered: 0 until then, and for a raw hostile answer (which may have none); -1
   * for a connection reset, -200 for a 200 whose body was cut short.
   */
  status: number;
  requestId: string;
  projectId: string | undefined;
  /** Lower-cased; credentials replaced by "[redacted]". */
  headers: Record<string, string>;
}

const SECRET_HEADERS = new Set(["authorization", "x-auth-token", "x-security-token"]);

/**
 * The newest requests, for tests and drills to inspect. Bounded: a simulator serving a long
 * drill or a 1M-room bench must not grow without end.
 */
export class RequestLog {
  /** Oldest first; one array for the simulator's life (trimmed in place), so a caller may hold it. */
  readonly entries: SimulatorRequestLog[] = [];
  private servedCount = 0;

  /** @param maxLogged entries kept at least once trimmed; up to a tenth more between trims. */
  constructor(private readonly maxLogged: number) {}

  /** Every request logged, however many `entries` still keeps. */
  get served(): number {
    return this.servedCount;
  }

  /** Logs a request as it arrives; its status is filled in when it is answered. */
  record(request: IncomingMessage, route: RequestRoute, requestId: string): SimulatorRequestLog {
    const entry: SimulatorRequestLog = {
      method: request.method ?? "GET",
      path: route.path,
      query: Object.fromEntries(route.params),
      status: 0,
      requestId,
      projectId: route.projectId,
      headers: redacted(request),
    };
    this.entries.push(entry);
    this.servedCount += 1;
    // Trimmed in chunks (a tenth of the bound at a time), so each request costs no array shift.
    if (this.entries.length > this.maxLogged + Math.ceil(this.maxLogged / 10))
      this.entries.splice(0, this.entries.length - this.maxLogged);
    return entry;
  }
}

function redacted(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = SECRET_HEADERS.has(name) ? "[redacted]" : String(value);
  }
  return headers;
}
