import type { ChangeKind } from "../db/schema.js";

type Item = Record<string, unknown>;

export interface ChangeValues {
  before: Item | null;
  after: Item | null;
}

/**
 * What a change row keeps of the room's content, so history can be read back: an `updated`
 * keeps the previous and new values of exactly `changedFields` (a field absent from one side did
 * not exist there, which is how `smart_chat_rooms_as_of` tells a removed field from a null one);
 * `discovered`, `created` and `restored` keep the whole new item; `deleted` keeps the last item
 * seen (`previous`).
 */
export function changeValues(
  kind: ChangeKind,
  previous: Item | undefined,
  current: Item | undefined,
  changedFields: readonly string[],
): ChangeValues {
  switch (kind) {
    case "updated":
      return { before: pick(previous ?? {}, changedFields), after: pick(current ?? {}, changedFields) };
    case "deleted":
      return { before: previous ?? null, after: null };
    default:
      return { before: null, after: current ?? null };
  }
}

function pick(item: Item, fields: readonly string[]): Item {
  const picked: Item = {};
  for (const field of fields) {
    if (Object.hasOwn(item, field) && item[field] !== undefined) picked[field] = item[field];
  }
  return picked;
}
