import { describeError } from "../../src/describe-error.js";
import type { ListOptions, ListParams } from "../../src/metastudio/metastudio-client.js";
import type { SyncDeps } from "../../src/sync/run-sync.js";
import type { DrillContext, DrillResult, Drill } from "./drill.js";
import { DrillSubject } from "./drill-subject.js";
import { crashPostgres, type PostgresOutage } from "./postgres-outage.js";
import { armStatementTripwire } from "./statement-tripwire.js";

const DOWN_MS = 1000;

/** Where in the end of a run Postgres goes away. */
interface Cut {
  key: string;
  label: string;
  /**
   * The first statement of this step; absent for the cut made on the client side. Should the
   * engine's SQL change so that nothing matches, the drill fails saying so, never passes silently.
   */
  statement?: RegExp;
}

const CUTS: Cut[] = [
  { key: "a", label: "as the last page arrives, before its rooms are written" },
  { key: "b", label: "after every room is written, before deletions are judged", statement: /as live\b/ },
  {
    key: "c",
    label: "after deletions are marked, before the state and run row are saved",
    statement: /^insert into "sync_state"/,
  },
  {
    key: "d",
    label: "after the run is marked succeeded, before its scratch rows are cleared",
    statement: /^delete from "sync_run_windows"/,
  },
];

/**
 * Drill 3: the database goes away as a full run finishes, at four points of its last steps,
 * after the upstream changed (rooms created, updated, deleted) since the previous run. Each cut
 * gets a project of its own; the runs after the outage must leave an exact mirror, nothing lost,
 * nothing wrongly deleted, no run left 'running' and no scratch rows behind.
 */
export const finishOutageDrill: Drill = {
  name: "finish-outage",
  async run(context) {
    const results: DrillResult[] = [];
    for (const cut of CUTS) results.push(await runCut(context, cut));
    return results;
  },
};

async function runCut(context: DrillContext, cut: Cut): Promise<DrillResult> {
  const say = (line: string) => context.say(`3${cut.key}: ${line}`);
  const subject = await DrillSubject.open(
    { ...context, say },
    {
      name: `finish_${cut.key}`,
      rooms: Math.max(500, Math.floor(context.rooms / 2)),
      seed: 31,
      settings: { maxWindowRooms: 500 },
    },
  );
  try {
    await subject.sync();
    const upstream = subject.sim.rooms(subject.projectId);
    for (let i = 0; i < 20; i += 1) subject.sim.createRoom(subject.projectId);
    for (const room of upstream.slice(0, 30)) {
      subject.sim.updateRoom(subject.projectId, String(room.room_id), {
        room_name: "renamed before the cut",
      });
    }
    for (const room of upstream.slice(30, 45))
      subject.sim.deleteRoom(subject.projectId, String(room.room_id));

    let outage: PostgresOutage | undefined;
    const crash = async () => {
      outage = crashPostgres(context.postgres, DOWN_MS);
      await outage.stopped;
    };
    let deps: Partial<SyncDeps> = {};
    let where = cut.label;
    const tripwire = cut.statement
      ? armStatementTripwire(subject.database.pool, cut.statement, crash)
      : undefined;
    if (!cut.statement) {
      // A dry run reads exactly the pages the real run will, so its count marks the last one.
      const pages = (await subject.sync({ dryRun: true })).counts.requests;
      let seen = 0;
      const list = subject.client.listSmartChatRooms.bind(subject.client);
      deps = {
        client: {
          listSmartChatRooms: async (params: ListParams, options?: ListOptions) => {
            const page = await list(params, options);
            seen += 1;
            if (seen === pages) await crash();
            return page;
          },
        },
      };
      where = `as the last page (${pages}/${pages}) arrives, before its rooms are written`;
    }
    let faultedRunFailed = false;
    try {
      await subject.sync({}, deps);
      say("the cut run succeeded");
    } catch (error) {
      faultedRunFailed = true;
      say(`the cut run failed: ${describeError(error, 140)}`);
    } finally {
      tripwire?.disarm();
    }
    if (!outage) throw new Error(`Postgres was never stopped ${cut.label}: the drill's hook did not fire`);
    await outage.restarted;
    await subject.syncUntilSuccess();
    const problems = await subject.verify();
    if (!faultedRunFailed) problems.push("the run reported success though its database went away");
    return subject.result(
      `3${cut.key} outage at finish`,
      `Postgres crashed ${where}, back ${(outage.downMs() / 1000).toFixed(1)} s later`,
      problems,
    );
  } finally {
    await subject.close();
  }
}
