/**
 * `npm run demo`: the whole product in one process, no services needed. Starts the bundled
 * simulator, mirrors it into the embedded database, changes rooms upstream, syncs again, and
 * shows what changed and how to query it.
 */
import { demoDataDir, freshDemoDir } from "./fresh-demo-dir.js";

import { sql } from "drizzle-orm";

import { compileWasmBaselineOnly } from "../src/cli/baseline-wasm.js";
import { formatSummaries, table } from "../src/cli/format-summary.js";
import { loadConfig } from "../src/config/config.js";
import { queryRows } from "../src/db/query-rows.js";
import { createLogger } from "../src/logger.js";
import { startSimulator } from "../src/simulator/simulator.js";
import { runSync } from "../src/sync/run-sync.js";
import { openSyncRuntime } from "../src/runtime/sync-runtime.js";

// Before the simulator and PGlite load: see compileWasmBaselineOnly.
compileWasmBaselineOnly();

const PROJECT = "demo-project";
const TOKEN = "demo-token";
const ROOMS = Number(process.env.DEMO_ROOMS ?? 3000);
/**
 * The demo's own directory, never METASTUDIO_SYNC_DATA_DIR: that one may hold a user's mirror.
 * DEMO_DATA_DIR chooses another; a directory the demo did not create is never deleted.
 */
const DATA_DIR = process.env.DEMO_DATA_DIR ?? "./.metastudio-sync/demo-pgdata";

const say = (text = "") => process.stdout.write(`${text}\n`);

const simulator = await startSimulator({
  projectIds: [PROJECT],
  roomsPerProject: ROOMS,
  credentials: { accessKeys: {}, tokens: [TOKEN], iamUsers: [] },
});
say(`Simulator: ${simulator.url}, project ${PROJECT} with ${ROOMS} rooms.`);

const databaseUrl = process.env.DATABASE_URL;
let dirState: "created" | "reused" | undefined;
if (databaseUrl === undefined) {
  try {
    dirState = demoDataDir(DATA_DIR);
  } catch (error) {
    await simulator.close();
    process.stderr.write(`demo: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
const config = loadConfig({
  METASTUDIO_ENDPOINT: simulator.url,
  METASTUDIO_PROJECT_IDS: PROJECT,
  METASTUDIO_AUTH_TOKEN: TOKEN,
  METASTUDIO_RATE_LIMIT: "1000",
  METASTUDIO_SYNC_DATA_DIR: DATA_DIR,
  ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
  LOG_LEVEL: "warn",
});
const runtime = await openRuntime();
say(
  runtime.database.kind === "embedded"
    ? `Embedded database: ${runtime.database.location} (set DATABASE_URL to use Postgres instead).`
    : `Postgres: ${runtime.database.location} (project ${PROJECT}; rows from earlier demos stay).`,
);
const { db } = runtime.database;

try {
  if (dirState === "reused") await emptyTables();
  say("\n1. A full sync mirrors every room.");
  const full = await runSync(runtime.deps(), { projectId: PROJECT, mode: "full", trigger: "cli" });
  say(formatSummaries([full]));

  say("\n2. Meanwhile, upstream: 5 rooms renamed, 3 created, 2 deleted.");
  const rooms = simulator.rooms(PROJECT);
  for (const room of rooms.slice(0, 5)) {
    simulator.updateRoom(PROJECT, String(room.room_id), { room_name: `${String(room.room_name)} (renamed)` });
  }
  for (let i = 1; i <= 3; i += 1) simulator.createRoom(PROJECT, { room_name: `新的展厅 ${i}` });
  for (const room of rooms.slice(10, 12)) simulator.deleteRoom(PROJECT, String(room.room_id));

  say("\n3. An incremental sync reads only the recent window: a few requests, a few writes.");
  const incremental = await runSync(runtime.deps(), {
    projectId: PROJECT,
    mode: "incremental",
    trigger: "cli",
  });
  say(formatSummaries([incremental]));

  say("\n4. A full reconcile is what finds deletions (marked, never removed).");
  const reconcile = await runSync(runtime.deps(), { projectId: PROJECT, mode: "full", trigger: "cli" });
  say(formatSummaries([reconcile]));

  const examples: Array<[string, ReturnType<typeof sql>]> = [
    [
      "What changed, and when (smart_chat_room_changes):",
      sql`select c.change, c.room_id, r.room_name, array_to_string(c.changed_fields, ',') as fields, c.request_id
            from smart_chat_room_changes c join smart_chat_rooms r using (project_id, room_id)
           where c.run_id in (${incremental.runId}, ${reconcile.runId}) order by c.id limit 12`,
    ],
    [
      "Live rooms by billing mode:",
      sql`select coalesce(billing_mode, '(none)') as billing_mode, count(*)::int as rooms
            from smart_chat_rooms where deleted_at is null group by 1 order by 2 desc`,
    ],
    [
      "Voice configs by provider and language:",
      sql`select provider, language, count(*)::int as configs
            from smart_chat_room_voice_configs group by 1, 2 order by 3 desc limit 6`,
    ],
    [
      "The runs, for audit (sync_runs):",
      sql`select mode, status, requests, rooms_inserted as inserted, rooms_updated as updated,
                 rooms_unchanged as unchanged, rooms_deleted as deleted from sync_runs order by started_at`,
    ],
  ];
  for (const [title, query] of examples) {
    say(`\n${title}`);
    const rows = await queryRows<Record<string, unknown>>(db, query);
    const headers = Object.keys(rows[0] ?? {});
    say(
      table(
        headers,
        rows.map((row) => headers.map((h) => (row[h] as string | number | null) ?? "")),
      ),
    );
  }
  say(`\nQuery it yourself: the data stays in ${runtime.database.location}.`);
  say("Next: `npm test`, or point METASTUDIO_ENDPOINT at MetaStudio and run `npx metastudio-sync sync`.");
} finally {
  await runtime.close();
  await simulator.close();
}

/**
 * The runtime on the demo's database. A kept cluster that no longer opens (a demo killed
 * mid-write) is the demo's own: it is created afresh rather than left in the way.
 */
async function openRuntime() {
  const logger = createLogger("warn");
  if (dirState !== "reused") return openSyncRuntime(config, logger);
  try {
    return await openSyncRuntime(config, logger);
  } catch {
    freshDemoDir(DATA_DIR);
    dirState = "created";
    return openSyncRuntime(config, logger);
  }
}

/** A kept cluster starts the demo empty, as a new one would: every table of the mirror emptied. */
async function emptyTables(): Promise<void> {
  const tables = await queryRows<{ name: string }>(
    db,
    sql`select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname = 'public'`,
  );
  if (tables.length > 0) {
    await db.execute(sql.raw(`truncate ${tables.map((t) => t.name).join(", ")} restart identity cascade`));
  }
}
