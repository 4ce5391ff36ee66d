import { Writable } from "node:stream";

import { sql } from "drizzle-orm";

import { queryRows } from "../../src/db/query-rows.js";
import { createLogger } from "../../src/logger.js";
import { describeDifferences } from "../../src/sync/compare-mirror.js";
import { describePhantomDeletions, findPhantomDeletions } from "../../src/sync/phantom-deletions.js";
import type { Drill } from "./drill.js";
import { DrillSubject } from "./drill-subject.js";

/** What an item holds that Postgres or the indexes cannot, and what must become of it. */
interface Poison {
  label: string;
  item: (updateTime: string) => Record<string, unknown>;
  /** Stored with the offending text normalised or clipped, or skipped and counted invalid. */
  fate: "normalised" | "skipped";
}

const deep = (levels: number): unknown => {
  let value: unknown = "bottom";
  for (let i = 0; i < levels; i += 1) value = { next: value };
  return value;
};

const POISONS: Poison[] = [
  {
    label: "NUL",
    fate: "normalised",
    item: (t) => ({ room_id: "poison-nul", room_name: "a\u0000b", update_time: t }),
  },
  {
    label: "lone surrogate",
    fate: "normalised",
    item: (t) => ({ room_id: "poison-surrogate", room_description: "x\ud800y", update_time: t }),
  },
  {
    label: "10 kB name",
    fate: "normalised",
    item: (t) => ({ room_id: "poison-long-name", room_name: "n".repeat(10_000), update_time: t }),
  },
  { label: "10 kB room_id", fate: "skipped", item: (t) => ({ room_id: "r".repeat(10_000), update_time: t }) },
  {
    label: "nesting 1000 deep",
    fate: "skipped",
    item: (t) => ({ room_id: "poison-deep", extra: deep(1000), update_time: t }),
  },
  {
    // Passes every check before the batch; Postgres refuses it (integer out of range).
    label: "integer out of range",
    fate: "skipped",
    item: (t) => ({ room_id: "poison-huge-int", concurrency: 3_000_000_000, update_time: t }),
  },
];

/**
 * Drill 10a: poisoned items among good rooms, spread over the list. Before issue 10 each failed
 * its whole batch on every retry, and the good rooms around it were never written. The run must
 * succeed; every good room is mirrored exactly; each poisoned item is stored normalised or
 * skipped, counted in items_invalid and logged with a request ID the upstream really issued; and
 * neither that run nor the ones after it judge a skipped room deleted.
 */
export const poisonedItemsDrill: Drill = {
  name: "poisoned-items",
  async run(context) {
    const { logger, warnings } = capturedWarnings();
    const subject = await DrillSubject.open(context, {
      name: "poisoned",
      rooms: context.rooms,
      seed: 61,
      logger,
    });
    try {
      const { sim, projectId } = subject;
      const good = sim.rooms(projectId).map((room) => String(room.room_id));
      const { normalised, skipped } = inject(subject);
      const problems: string[] = [];
      const first = await subject.sync();
      if (first.counts.itemsInvalid !== skipped.length) {
        problems.push(`items_invalid ${first.counts.itemsInvalid}, expected ${skipped.length}`);
      }
      const goodIds = new Set(good);
      const wrong = (await subject.compare()).filter((d) => goodIds.has(d.roomId));
      if (wrong.length > 0) problems.push(`good rooms: ${describeDifferences(wrong)}`);
      problems.push(...(await fates(subject, normalised, skipped)));
      problems.push(...reported(warnings, new Set(sim.requests.map((r) => r.requestId)), skipped.length));
      const later = await laterRuns(subject);
      problems.push(...later.problems);
      context.say(
        `${good.length} good rooms and ${POISONS.length} poisoned: ${normalised.length} stored normalised, ` +
          `${first.counts.itemsInvalid} counted invalid; ${later.phantoms}`,
      );
      return [
        subject.result(
          "10a poisoned items",
          `${POISONS.map((p) => p.label).join(", ")} among ${good.length} good rooms; full, incremental, full`,
          problems,
        ),
      ];
    } finally {
      await subject.close();
    }
  },
};

type Warning = { msg: string; request_id?: string };

/** A logger at `warn` whose lines are kept, parsed, for the drill to read. */
function capturedWarnings() {
  const warnings: Warning[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean))
        warnings.push(JSON.parse(line) as Warning);
      done();
    },
  });
  return { logger: createLogger("warn", sink), warnings };
}

/** Each poison among good rooms: stamped with the update time of a room spread through the list. */
function inject(subject: DrillSubject): { normalised: string[]; skipped: string[] } {
  const { sim, projectId } = subject;
  const rooms = sim.rooms(projectId);
  const ids = POISONS.map((poison, i) => {
    const neighbour = rooms[Math.floor(((i + 0.5) * rooms.length) / POISONS.length)]!;
    const item = poison.item(String(neighbour.update_time));
    sim.injectItem(projectId, item);
    return String(item.room_id);
  });
  return {
    normalised: ids.filter((_, i) => POISONS[i]!.fate === "normalised"),
    skipped: ids.filter((_, i) => POISONS[i]!.fate === "skipped"),
  };
}

/** An incremental and a full run after the first: the skipped rooms are still there upstream. */
async function laterRuns(subject: DrillSubject): Promise<{ problems: string[]; phantoms: string }> {
  const problems: string[] = [];
  for (const run of [await subject.sync({ mode: "incremental" }), await subject.sync()]) {
    if (run.counts.roomsDeleted > 0)
      problems.push(`a ${run.mode} run deleted ${run.counts.roomsDeleted} rooms`);
  }
  const { sim, projectId } = subject;
  const phantoms = await findPhantomDeletions(subject.database.db, projectId, sim.deletedRoomIds(projectId));
  if (phantoms.length > 0) problems.push(describePhantomDeletions(phantoms));
  const { running, scratchRows } = await subject.bookkeeping();
  if (running > 0) problems.push(`${running} runs left 'running'`);
  if (scratchRows > 0) problems.push(`${scratchRows} scratch rows left behind`);
  return { problems, phantoms: describePhantomDeletions(phantoms) };
}

/** Normalised items are live rows; skipped ones have none. */
async function fates(subject: DrillSubject, normalised: string[], skipped: string[]): Promise<string[]> {
  const rows = await queryRows<{ room_id: string; deleted: boolean }>(
    subject.database.db,
    sql`select room_id, deleted_at is not null as deleted from smart_chat_rooms
        where project_id = ${subject.projectId} and room_id in (${sql.join(
          [...normalised, ...skipped].map((id) => sql`${id}`),
          sql`, `,
        )})`,
  );
  const live = new Set(rows.filter((r) => !r.deleted).map((r) => r.room_id));
  const problems: string[] = [];
  const short = (id: string) => (id.length > 40 ? `${id.slice(0, 12)}… (${id.length} chars)` : id);
  for (const id of normalised) if (!live.has(id)) problems.push(`${short(id)} not stored normalised`);
  for (const id of skipped) if (rows.some((r) => r.room_id === id)) problems.push(`${short(id)} stored`);
  return problems;
}

/** Every skipped item was logged with the ID of a request the upstream answered. */
function reported(warnings: Warning[], issued: Set<string>, expected: number): string[] {
  const skips = warnings.filter((w) => w.msg.startsWith("skipped"));
  const unknown = skips.filter((w) => w.request_id === undefined || !issued.has(w.request_id));
  const problems: string[] = [];
  if (skips.length !== expected) problems.push(`${skips.length} skip reports, expected ${expected}`);
  if (unknown.length > 0) problems.push(`${unknown.length} skip reports without a known request ID`);
  return problems;
}
