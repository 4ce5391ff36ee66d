import { createPrng, integerBetween, pick, prngUuid, rfc3339 } from "./prng.js";

/** Datasets end here, not at the real now, so the same seed always gives the same rooms. */
export const DATASET_END = Date.parse("2025-01-01T00:00:00Z") / 1000;
/** And span the year before. */
export const DATASET_SPAN_SECONDS = 365 * 86_400;

const PREFIXES = [
  "Exhibition hall",
  "展厅",
  "Customer desk",
  "客服",
  "Sala de ventas",
  "Café démo",
  "Лобби",
  "🤖 Lobby",
];
const SUBJECTS = ["with Sara", "小王", "Ana", "Noël", "数字人助手", "guide 😀", "ゲスト", ""];
const PROVIDERS = ["HUAWEI_EI", "XIMALAYA", "MOBVOI"];
const LANGUAGES: Array<[string, string]> = [
  ["CN", "Simplified Chinese"],
  ["EN", "English"],
  ["ESP", "Spanish"],
  ["por", "Portuguese"],
  ["Arabic", "Arabic"],
  ["Thai", "Thai"],
];
const BILLING = ["CONCURRENCY", "CLIENT", "CLIENT_TOKENS"];

export type RoomItem = Record<string, unknown> & { room_id: string };

/**
 * Builds one room as the API would return it. Optional fields are sometimes absent, as the
 * upstream omits them rather than sending nulls.
 */
export function generateRoom(
  random: () => number,
  index: number,
  createTime: number,
  updateTime: number,
): RoomItem {
  const room: RoomItem = {
    room_id: prngUuid(random),
    room_name: `${pick(random, PREFIXES)} ${pick(random, SUBJECTS)} #${index}`.replace(/ +/g, " "),
    create_time: rfc3339(createTime),
    update_time: rfc3339(updateTime),
  };
  if (random() < 0.8)
    room.room_description = random() < 0.5 ? `Room ${index} — 互动对话` : `Greets visitors (${index})`;
  if (random() < 0.9) room.robot_id = prngUuid(random).replace(/-/g, "");
  if (random() < 0.7) room.cover_url = `https://example.obs.cn-north-4.myhuaweicloud.com/covers/${index}.png`;
  if (random() < 0.85) {
    room.model_infos = {
      model_asset_id: prngUuid(random).replace(/-/g, ""),
      asset_name: pick(random, ["Sara", "小云", "Leo", "Amélie"]),
      ...(random() < 0.3 ? { backup_model_asset_ids: [prngUuid(random).replace(/-/g, "")] } : {}),
    };
  }
  if (random() < 0.2) {
    room.voice_config = {
      voice_asset_id: prngUuid(random).replace(/-/g, ""),
      speed: 100,
      pitch: 100,
      volume: 140,
    };
  }
  const billing = pick(random, BILLING);
  room.billing_mode = billing;
  if (random() < 0.7) room.reuse_resource = random() < 0.5;
  if (billing === "CONCURRENCY") room.concurrency = integerBetween(random, 0, 1024);
  else room.client_nums = integerBetween(random, 0, 1024);
  const voices = integerBetween(random, 0, 3);
  if (voices > 0 || random() < 0.5) {
    room.voice_config_list = Array.from({ length: voices }, () => {
      const [language, description] = pick(random, LANGUAGES);
      return {
        voice_asset_id: prngUuid(random).replace(/-/g, ""),
        speed: integerBetween(random, 50, 200),
        pitch: integerBetween(random, 50, 200),
        volume: integerBetween(random, 90, 240),
        provider: pick(random, PROVIDERS),
        language,
        ...(random() < 0.8 ? { language_desc: description } : {}),
      };
    });
  }
  room.default_language = pick(random, LANGUAGES)[0];
  if (random() < 0.8) room.exit_mute_threshold = integerBetween(random, 0, 1440);
  return room;
}

/**
 * `count` rooms spread over the year before DATASET_END. From 1,000 rooms up, about one room in
 * twenty sits in a burst of 120 to 180 rooms sharing one second (more than a page), the case
 * that breaks naive offset paging under an unstable order.
 */
export function generateDataset(count: number, seed: number): RoomItem[] {
  const random = createPrng(seed);
  const rooms: RoomItem[] = [];
  const bursts = count >= 1000 ? Math.max(1, Math.floor(count / 3000)) : 0;
  for (let b = 0; b < bursts && rooms.length < count; b += 1) {
    const at = DATASET_END - integerBetween(random, 0, DATASET_SPAN_SECONDS);
    const size = Math.min(count - rooms.length, integerBetween(random, 120, 180));
    for (let i = 0; i < size; i += 1) rooms.push(generateRoom(random, rooms.length, at, at));
  }
  while (rooms.length < count) {
    const created = DATASET_END - integerBetween(random, 0, DATASET_SPAN_SECONDS);
    // Four in ten never updated; the rest updated up to 30 days later, never past DATASET_END.
    const updated =
      random() < 0.4 ? created : Math.min(DATASET_END, created + integerBetween(random, 1, 30 * 86_400));
    rooms.push(generateRoom(random, rooms.length, created, updated));
  }
  return rooms;
}
