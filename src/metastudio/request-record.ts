import type { ExchangeOutcome } from "./exchange-outcome.js";
import type { ListParams } from "./send-list-request.js";

/** One HTTP attempt, failed ones and retries included: what `sync_requests` stores. */
export interface RequestRecord {
  /** The account the request was made for; `default` for the single account of the environment. */
  account: string;
  projectId: string;
  requestId: string | undefined;
  status: number | undefined;
  errorCode: string | undefined;
  offset: number;
  limit: number;
  startTime: string | undefined;
  endTime: string | undefined;
  items: number | undefined;
  attempt: number;
  durationMs: number;
  requestedAt: Date;
}

/** What is known of an attempt once it has ended, however it ended. */
export interface EndedAttempt {
  account: string;
  params: ListParams;
  outcome: ExchangeOutcome;
  /** From 1. */
  attempt: number;
  /** Credentials and exchange together. */
  durationMs: number;
  requestedAt: Date;
}

/** The attempt's record; `items` counts skipped items too, since the upstream sent them. */
export function requestRecord(ended: EndedAttempt): RequestRecord {
  const { params, outcome } = ended;
  return {
    account: ended.account,
    projectId: params.projectId,
    requestId: outcome.requestId,
    status: outcome.status,
    errorCode: outcome.kind === "error" ? outcome.error.errorCode : undefined,
    offset: params.offset,
    limit: params.limit,
    startTime: params.startTime,
    endTime: params.endTime,
    items: outcome.kind === "page" ? outcome.page.rooms.length + outcome.page.invalid.length : undefined,
    attempt: ended.attempt,
    durationMs: ended.durationMs,
    requestedAt: ended.requestedAt,
  };
}

/**
 * The fields of the attempt's `metastudio request` log line: the caller's bindings (a run ID)
 * first, so a binding can never hide one of the request's own fields.
 */
export function requestLogFields(
  record: RequestRecord,
  bindings: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return {
    ...bindings,
    request_id: record.requestId,
    project_id: record.projectId,
    offset: record.offset,
    limit: record.limit,
    start_time: record.startTime,
    end_time: record.endTime,
    status: record.status,
    error_code: record.errorCode,
    attempt: record.attempt,
    duration_ms: Math.round(record.durationMs),
    items: record.items,
  };
}
