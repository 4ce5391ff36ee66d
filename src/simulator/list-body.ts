import type { ListResult } from "./room-store.js";

/**
 * A list answer's body: the page is each item's kept text (ItemTexts), the bytes JSON.stringify
 * of the whole answer gives (it writes NaN or an infinite total as null, so the totals go
 * through it).
 */
export function listBody(result: ListResult): Buffer {
  return Buffer.concat([
    Buffer.from(
      `{"count":${result.count},"count_concurrency":${JSON.stringify(result.countConcurrency)},` +
        `"count_client_nums":${JSON.stringify(result.countClientNums)},` +
        `"count_client_nums_token":${JSON.stringify(result.countClientNumsToken)},"smart_chat_rooms":`,
    ),
    result.pageText,
    Buffer.from("}"),
  ]);
}
