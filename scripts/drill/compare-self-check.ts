import { and, eq } from "drizzle-orm";

import type { Db } from "../../src/db/database.js";
import { smartChatRoomVoiceConfigs, smartChatRooms } from "../../src/db/schema.js";
import { compareMirror, type MirrorDifference } from "../../src/sync/compare-mirror.js";
import type { Drill } from "./drill.js";
import { DrillSubject } from "./drill-subject.js";

class Rollback extends Error {}

/**
 * Before trusting "exact" from the drills, proof that the comparison can say otherwise: a small
 * mirror is corrupted three ways inside a transaction (a column, the order of a room's voice
 * configs, a live room marked deleted), compared from inside it, and rolled back.
 */
export const compareSelfCheck: Drill = {
  name: "self-check",
  async run(context) {
    const subject = await DrillSubject.open(context, { name: "self_check", rooms: 200, seed: 5 });
    try {
      await subject.sync();
      const clean = await subject.compare();
      const upstream = subject.sim.rooms(subject.projectId);
      const withVoices = upstream.find(
        (r) => ((r.voice_config_list as unknown[] | undefined) ?? []).length >= 2,
      );
      const [edited, deleted] = [String(upstream[0]!.room_id), String(upstream[1]!.room_id)];
      const reordered = String(withVoices!.room_id);
      const room = (id: string) =>
        and(eq(smartChatRooms.projectId, subject.projectId), eq(smartChatRooms.roomId, id));
      const voice = (position: number) =>
        and(
          eq(smartChatRoomVoiceConfigs.projectId, subject.projectId),
          eq(smartChatRoomVoiceConfigs.roomId, reordered),
          eq(smartChatRoomVoiceConfigs.position, position),
        );
      let corrupted: MirrorDifference[] = [];
      await subject.database.db
        .transaction(async (tx) => {
          const db = tx as unknown as Db;
          await db.update(smartChatRooms).set({ roomName: "corrupted" }).where(room(edited));
          await db.update(smartChatRooms).set({ deletedAt: new Date() }).where(room(deleted));
          await db.update(smartChatRoomVoiceConfigs).set({ position: 99 }).where(voice(0));
          await db.update(smartChatRoomVoiceConfigs).set({ position: 0 }).where(voice(1));
          await db.update(smartChatRoomVoiceConfigs).set({ position: 1 }).where(voice(99));
          corrupted = await compareMirror(db, subject.projectId, upstream);
          throw new Rollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        });
      const found = new Set(corrupted.map((d) => `${d.kind} ${d.roomId}`));
      const expected = [`fields ${edited}`, `wrongly deleted ${deleted}`, `voices ${reordered}`];
      const detected = expected.filter((e) => found.has(e)).length;
      const after = await subject.compare();
      context.say(
        `clean mirror: ${clean.length} differences; corrupted: ${corrupted.length}; restored: ${after.length}`,
      );
      const ok = clean.length === 0 && detected === expected.length && after.length === 0;
      return [
        {
          drill: "0 self-check",
          did: "corrupted a column, a voice order and a live room's deletion (then rolled back)",
          runsFailed: subject.runsFailed,
          runsSucceeded: subject.runsSucceeded,
          requests: subject.requests,
          rooms: subject.rooms,
          ok,
          outcome: ok
            ? `detected ${detected}/${expected.length}`
            : `WRONG: detected ${detected}/${expected.length}, clean mirror ${clean.length} differences`,
        },
      ];
    } finally {
      await subject.close();
    }
  },
};
