import type { Logger } from "../logger.js";
import type { ExchangeOutcome } from "./exchange-outcome.js";
import type { ListParams } from "./send-list-request.js";

/** Skipped items and out-of-range values: logged with what a ticket upstream needs. */
export function reportPage(
  logger: Logger,
  outcome: Extract<ExchangeOutcome, { kind: "page" }>,
  params: ListParams,
): void {
  for (const invalid of outcome.page.invalid) {
    logger.warn(
      {
        project_id: params.projectId,
        request_id: invalid.requestId,
        offset: invalid.offset,
        reason: invalid.reason,
      },
      "skipped an item that cannot be mirrored",
    );
  }
  for (const item of outcome.page.normalised) {
    logger.warn(
      {
        project_id: params.projectId,
        request_id: item.requestId,
        offset: item.offset,
        room_id: item.roomId,
        paths: item.paths,
      },
      "stored an item with characters Postgres cannot hold (NUL, lone surrogates) replaced by U+FFFD",
    );
  }
  for (const warning of outcome.rangeWarnings) {
    logger.warn(
      {
        project_id: params.projectId,
        request_id: outcome.requestId,
        room_id: warning.roomId,
        field: warning.field,
        value: warning.value,
        range: warning.range,
      },
      "value outside the documented range, kept as sent",
    );
  }
}
