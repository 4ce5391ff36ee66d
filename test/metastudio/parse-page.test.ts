import { describe, expect, it } from "vitest";

import { MAX_PLAUSIBLE_COUNT, outOfRange, parsePage, readEnvelope } from "../../src/metastudio/parse-page.js";
import type { SmartChatRoom } from "../../src/metastudio/room-schema.js";

describe("outOfRange", () => {
  it("names each value outside its documented range, room first, then voices, then voice_config", () => {
    const room = {
      room_id: "r",
      concurrency: 1025,
      client_nums: 1024,
      exit_mute_threshold: -1,
      voice_config_list: [{ speed: 49 }, { speed: 200, pitch: 201, volume: null }, {}],
      voice_config: { volume: 241, pitch: 50 },
    } as SmartChatRoom;
    expect(outOfRange(room)).toEqual([
      { roomId: "r", field: "concurrency", value: 1025, range: [0, 1024] },
      { roomId: "r", field: "exit_mute_threshold", value: -1, range: [0, 1440] },
      { roomId: "r", field: "voice_config_list[0].speed", value: 49, range: [50, 200] },
      { roomId: "r", field: "voice_config_list[1].pitch", value: 201, range: [50, 200] },
      { roomId: "r", field: "voice_config.volume", value: 241, range: [90, 240] },
    ]);
    expect(outOfRange({ room_id: "q", voice_config_list: null, voice_config: null })).toEqual([]);
  });

  it("collects the warnings of a whole page in item order, beside its invalid items", () => {
    const parsed = parsePage(
      {
        count: 3,
        smart_chat_rooms: [
          { room_id: "a", concurrency: 2000 },
          { room_id: 7 },
          { room_id: "b", voice_config_list: [{ volume: 1 }] },
        ],
      },
      { offset: 10, requestId: "req" },
    );
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.rangeWarnings.map((w) => [w.roomId, w.field])).toEqual([
      ["a", "concurrency"],
      ["b", "voice_config_list[0].volume"],
    ]);
    expect(parsed.page.invalid).toMatchObject([{ index: 1, offset: 11, requestId: "req" }]);
    expect(parsed.page.rooms.map((r) => r.room_id)).toEqual(["a", "b"]);
  });
});

describe("readEnvelope", () => {
  it("trusts a page envelope and hands back its data, unknown fields kept", () => {
    const body = { count: 3, smart_chat_rooms: [{ room_id: "a" }], next: "x" };
    expect(readEnvelope(body, 0)).toEqual({ ok: true, data: body });
  });

  it("names at most three problems of an envelope that is not a page, and how many more", () => {
    const body = {
      count: -1.5,
      count_concurrency: "a",
      count_client_nums: "b",
      count_client_nums_token: "c",
      smart_chat_rooms: 5,
    };
    const result = readEnvelope(body, 0);
    if (result.ok) throw new Error("expected a refusal");
    expect(result.reason.split("; ")).toHaveLength(4);
    expect(result.reason).toMatch(/^count: /);
    expect(result.reason).toMatch(/; and 2 more$/);
    expect(readEnvelope("[]", 0)).toMatchObject({ ok: false, reason: expect.stringMatching(/^body: /) });
  });

  it("refuses a count no project can have, but not the largest one it can", () => {
    expect(readEnvelope({ count: MAX_PLAUSIBLE_COUNT, smart_chat_rooms: [] }, 0).ok).toBe(true);
    expect(readEnvelope({ count: MAX_PLAUSIBLE_COUNT + 1, smart_chat_rooms: [] }, 0)).toEqual({
      ok: false,
      reason: "count 10000001 cannot be real (more than 10000000 rooms in one project)",
    });
  });

  it("reads a missing list as empty only where no rooms are due", () => {
    expect(readEnvelope({ count: 5 }, 5).ok).toBe(true);
    expect(readEnvelope({ count: 5, smart_chat_rooms: null }, 7).ok).toBe(true);
    expect(readEnvelope({ count: 5, smart_chat_rooms: null }, 4)).toEqual({
      ok: false,
      reason: "smart_chat_rooms is missing although count is 5 and offset 4",
    });
  });
});
