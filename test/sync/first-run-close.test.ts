import { Writable } from "node:stream";

import { describe, expect, it } from "vitest";

import { createLogger } from "../../src/logger.js";
import { runSync } from "../../src/sync/run-sync.js";
import { liveRooms } from "../support/sync-harness.js";
import { useSyncHarness } from "../support/use-sync-harness.js";

const sync = useSyncHarness();
const PROJECT = "p-first";
const NO_JUDGEMENT = "judged no deletions: the mirror held no room of the project when the run began";

function capture() {
  const messages: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      messages.push((JSON.parse(chunk.toString()) as { msg: string }).msg);
      done();
    },
  });
  return { logger: createLogger("debug", sink), messages };
}

describe("the close of a project's first full run", () => {
  it("judges no deletions and counts what it saw by the rooms it holds; the next run judges them", async () => {
    const h = await sync.start({ projectIds: [PROJECT], roomsPerProject: 300 });
    // Seen without a room: an item with an ID that cannot be stored as a room, and one without.
    h.sim.injectItem(PROJECT, { room_id: "bad-types", concurrency: "many" });
    h.sim.injectItem(PROJECT, { room_name: "no id at all" });
    const run = async () => {
      const { logger, messages } = capture();
      const deps = { database: sync.database, client: h.client, logger, settings: h.settings };
      const summary = await runSync(deps, { projectId: PROJECT, mode: "full", trigger: "cli" });
      return { summary, messages };
    };

    const first = await run();
    expect(first.summary.status).toBe("succeeded");
    expect(first.summary.counts.roomsInserted).toBe(300);
    expect(first.summary.counts.roomsSeen).toBe(301);
    expect(first.messages).toContain(NO_JUDGEMENT);
    expect((await liveRooms(sync.database, PROJECT)).size).toBe(300);

    const gone = String(h.sim.rooms(PROJECT)[0]!.room_id);
    h.sim.deleteRoom(PROJECT, gone);
    const second = await run();
    expect(second.messages).not.toContain(NO_JUDGEMENT);
    expect(second.summary.counts.roomsDeleted).toBe(1);
    expect(second.summary.counts.roomsSeen).toBe(300);
    const mirror = await liveRooms(sync.database, PROJECT);
    expect(mirror.size).toBe(299);
    expect(mirror.has(gone)).toBe(false);
  });
});
