import { Writable } from "node:stream";

import { describe, expect, it } from "vitest";

import { createLogger } from "../../src/logger.js";
import type { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { compareMirror } from "../../src/sync/compare-mirror.js";
import { runSync } from "../../src/sync/run-sync.js";
import { useSyncHarness } from "../support/use-sync-harness.js";

const sync = useSyncHarness();

type List = MetaStudioClient["listSmartChatRooms"];

interface LogLine {
  level: number;
  msg: string;
  room_id?: string;
  stamp?: string;
}

function capture() {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as LogLine);
      done();
    },
  });
  return { logger: createLogger("info", sink), lines };
}

const FUTURE = "2099-01-01T00:00:00Z";

/**
 * A full run of a project filtered on create_time, after a first one, with one room stamped
 * `stamp` and 150 others edited during the run, after its settled windows were read. What the
 * filter cannot show, the closing read finds by following the head of the list: 151 rooms are
 * newer than the run, two pages of it.
 */
async function runWithEditsDuring(project: string, stamp: string, withDate: boolean) {
  const h = await sync.start({
    projectIds: [project],
    roomsPerProject: 600,
    seed: 5,
    behaviour: { timeFilterField: "create_time" },
  });
  expect((await h.run(project)).status).toBe("succeeded");
  const [future, ...others] = h.sim.rooms(project).map((room) => String(room.room_id));
  h.sim.updateRoom(project, future!, { update_time: stamp });

  let edited = false;
  const client = {
    listSmartChatRooms: (async (query, options) => {
      // The count read just before the closing read: every settled window is read by then.
      if (!edited && query.limit === 1 && query.startTime === undefined) {
        edited = true;
        for (const id of others.slice(0, 150))
          h.sim.updateRoom(project, id, { room_name: "edited during the run" });
      }
      const page = await h.client.listSmartChatRooms(query, options);
      return withDate ? page : { ...page, date: undefined };
    }) as List,
  };
  const { logger, lines } = capture();
  const offsets: number[] = [];
  const deps = {
    database: sync.database,
    client,
    logger,
    settings: h.settings,
    onClockOffset: (_projectId: string, offset: number) => offsets.push(offset),
  };
  const run = await runSync(deps, { projectId: project, mode: "full", trigger: "cli" });
  expect(run.status).toBe("succeeded");
  expect(edited).toBe(true);
  const differences = await compareMirror(sync.database.db, project, h.sim.rooms(project));
  return { future: future!, differences, offsets, warnings: lines.filter((line) => line.level >= 40) };
}

describe("a room the upstream stamped in 2099", () => {
  // Its stamp is data, not the upstream's clock. Taken as the clock, it made the offset ~2.3e9 s:
  // every run warned that the upstream's clock was that far ahead and exported it as the metric,
  // and the closing read, which follows the head of the list for edits made during the run where
  // the filter cannot show them (here it applies to create_time), stopped after one page: of 150
  // rooms edited during the run, the 51 past the first page were not mirrored until a later run.
  for (const withDate of [true, false]) {
    it(`is named, and edits made during the run are all mirrored (${withDate ? "with" : "without"} a Date header)`, async () => {
      const project = `p-future-${withDate ? "date" : "no-date"}`;
      const { future, differences, offsets, warnings } = await runWithEditsDuring(project, FUTURE, withDate);
      expect(differences).toEqual([]);
      for (const offset of offsets) expect(Math.abs(offset)).toBeLessThanOrEqual(1);
      expect(warnings.filter((line) => line.msg.includes("the upstream's clock is"))).toEqual([]);
      expect(warnings.filter((line) => line.room_id === future)).toMatchObject([{ stamp: FUTURE }]);
    });
  }
});

describe("a room stamped an hour ahead, in answers without a Date header", () => {
  // Nothing tells an upstream clock an hour ahead from a room's bad data: it is reported as the
  // clock's offset, but the reads go by our clock, or the head of the list stopped after a page.
  it("is reported as the upstream's clock, and edits made during the run are all mirrored", async () => {
    const stamp = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const { differences, offsets } = await runWithEditsDuring("p-hour-ahead", stamp, false);
    expect(differences).toEqual([]);
    expect(offsets).toHaveLength(1);
    expect(offsets[0]).toBeGreaterThan(3500);
  });
});
