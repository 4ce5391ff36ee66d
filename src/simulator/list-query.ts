import { parseRfc3339 } from "./rfc3339-parse.js";
import type { ListQuery } from "./room-store.js";

/**
 * The documented query parameters and ranges. Returns the parsed query, or a message naming the
 * first invalid parameter, for the 400's `error_msg`.
 */
export function validateListQuery(params: URLSearchParams): ListQuery | string {
  const offset = integer(params.get("offset"), 0, 0, 2_147_483_647);
  if (offset === undefined) return "offset must be an integer from 0 to 2147483647";
  const limit = integer(params.get("limit"), 10, 1, 100);
  if (limit === undefined) return "limit must be an integer from 1 to 100";
  const start = time(params.get("start_time"));
  if (start === null) return "start_time must be RFC 3339, e.g. 2021-01-10T08:43:17Z";
  const end = time(params.get("end_time"));
  if (end === null) return "end_time must be RFC 3339, e.g. 2021-01-10T10:43:17Z";
  return {
    offset,
    limit,
    roomName: params.get("room_name") ?? undefined,
    modelName: params.get("model_name") ?? undefined,
    start,
    end,
  };
}

function integer(raw: string | null, fallback: number, min: number, max: number): number | undefined {
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}

/** Seconds since the epoch; undefined when absent, null when present but unreadable. */
function time(raw: string | null): number | undefined | null {
  if (raw === null) return undefined;
  const parsed = parseRfc3339(raw);
  return parsed === undefined ? null : Math.floor(parsed / 1000);
}
