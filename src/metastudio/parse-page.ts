import type { Logger } from "../logger.js";
import { documentedRanges, pageSchema, roomSchema, type SmartChatRoom } from "./room-schema.js";

export interface InvalidItem {
  /** Position in the page. */
  index: number;
  /** Position in the whole list: the request's offset plus the index. */
  offset: number;
  requestId: string | undefined;
  reason: string;
  item: unknown;
}

export interface ParsedPage {
  count: number;
  countConcurrency: number | undefined;
  countClientNums: number | undefined;
  countClientNumsToken: number | undefined;
  rooms: SmartChatRoom[];
  invalid: InvalidItem[];
}

/**
 * Checks a 200 body against the documented shape. Items are checked one by one: one that cannot
 * be mirrored is reported and skipped while the rest of the page goes on. Values outside the
 * documented ranges are kept as sent (the upstream is the truth), with a warning.
 * Returns a reason string when the envelope itself is not a page.
 */
export function parsePage(
  body: unknown,
  context: { offset: number; requestId: string | undefined; projectId: string; logger: Logger },
): ParsedPage | string {
  const envelope = pageSchema.safeParse(body);
  if (!envelope.success)
    return envelope.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
  const rooms: SmartChatRoom[] = [];
  const invalid: InvalidItem[] = [];
  for (const [index, item] of (envelope.data.smart_chat_rooms ?? []).entries()) {
    const parsed = roomSchema.safeParse(item);
    if (parsed.success) {
      rooms.push(item as SmartChatRoom);
      warnOutOfRange(parsed.data, context);
      continue;
    }
    const reason = parsed.error.issues.map((i) => `${i.path.join(".") || "item"}: ${i.message}`).join("; ");
    invalid.push({ index, offset: context.offset + index, requestId: context.requestId, reason, item });
    context.logger.warn(
      {
        project_id: context.projectId,
        request_id: context.requestId,
        offset: context.offset + index,
        room_id: (item as { room_id?: unknown } | null)?.room_id,
        reason,
      },
      "skipped an item that cannot be mirrored",
    );
  }
  return {
    count: envelope.data.count,
    countConcurrency: envelope.data.count_concurrency ?? undefined,
    countClientNums: envelope.data.count_client_nums ?? undefined,
    countClientNumsToken: envelope.data.count_client_nums_token ?? undefined,
    rooms,
    invalid,
  };
}

function warnOutOfRange(
  room: SmartChatRoom,
  context: { projectId: string; requestId: string | undefined; logger: Logger },
) {
  const check = (field: string, value: unknown, where: string) => {
    const range = documentedRanges[field];
    if (!range || typeof value !== "number") return;
    if (value < range[0] || value > range[1]) {
      context.logger.warn(
        {
          project_id: context.projectId,
          request_id: context.requestId,
          room_id: room.room_id,
          field: where,
          value,
        },
        `value outside the documented range ${range[0]}..${range[1]}, kept as sent`,
      );
    }
  };
  for (const field of ["concurrency", "client_nums", "exit_mute_threshold"] as const)
    check(field, room[field], field);
  for (const [i, voice] of (room.voice_config_list ?? []).entries()) {
    for (const field of ["speed", "pitch", "volume"] as const)
      check(field, voice[field], `voice_config_list[${i}].${field}`);
  }
}
