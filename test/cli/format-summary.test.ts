import { describe, expect, it } from "vitest";
import stringWidth from "string-width";

import { formatPreview, table } from "../../src/cli/format-summary.js";
import type { RunSummary } from "../../src/sync/run-summary.js";

describe("table", () => {
  it("aligns columns by display width, so CJK and emoji names line up", () => {
    const text = table(
      ["room", "rooms"],
      [
        ["展厅 数字人助手", 12],
        ["Lobby", 3],
        ["客服 😀", 100],
      ],
    );
    const lines = text.split("\n");
    // Every line's second column ends in the same terminal column.
    expect(new Set(lines.map((line) => stringWidth(line))).size).toBe(1);
    expect(lines[1]).toBe("展厅 数字人助手     12");
    expect(lines[2]).toBe("Lobby                3");
  });
});

const summary = (fields: Partial<RunSummary["counts"]>, preview: RunSummary["preview"]): RunSummary =>
  ({
    projectId: "p1",
    preview,
    counts: {
      requests: 1,
      roomsSeen: 0,
      roomsInserted: 0,
      roomsUpdated: 0,
      roomsUnchanged: 0,
      roomsDeleted: 0,
      itemsInvalid: 0,
      ...fields,
    },
  }) as RunSummary;

const change = (roomId: string) =>
  ({
    change: "inserted",
    roomId,
    roomName: `room ${roomId}`,
    changedFields: [],
  }) as unknown as RunSummary["preview"][number];

describe("formatPreview", () => {
  it("says how many changes a dry run did not list", () => {
    const text = formatPreview(summary({ roomsInserted: 160, roomsDeleted: 13 }, [change("a"), change("b")]));
    expect(text.split("\n")).toEqual([
      "p1: would change",
      '  inserted a "room a"',
      '  inserted b "room b"',
      "  … and 171 more",
    ]);
  });

  it("adds nothing when every change is listed", () => {
    const text = formatPreview(summary({ roomsInserted: 1 }, [change("a")]));
    expect(text).not.toContain("more");
    expect(formatPreview(summary({}, []))).toBe("p1: nothing would change.");
  });
});
