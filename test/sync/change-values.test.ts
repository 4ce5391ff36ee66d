import { describe, expect, it } from "vitest";

import { changeValues } from "../../src/sync/change-values.js";

describe("changeValues", () => {
  const old = { room_id: "r", room_name: "Old", concurrency: 2, cover_url: "u" };
  const now = { room_id: "r", room_name: "New", concurrency: 2, robot_id: "b" };

  it("keeps exactly the changed fields of an update, both sides", () => {
    expect(changeValues("updated", old, now, ["cover_url", "robot_id", "room_name"])).toEqual({
      before: { room_name: "Old", cover_url: "u" },
      after: { room_name: "New", robot_id: "b" },
    });
  });

  it("keeps an explicit null apart from an absent field", () => {
    const values = changeValues("updated", { a: null }, {}, ["a"]);
    expect(values).toEqual({ before: { a: null }, after: {} });
  });

  it("keeps the whole item for discovered, created and restored, the last item for deleted", () => {
    for (const kind of ["discovered", "created", "restored"] as const) {
      expect(changeValues(kind, old, now, [])).toEqual({ before: null, after: now });
    }
    expect(changeValues("deleted", old, undefined, [])).toEqual({ before: old, after: null });
  });
});
