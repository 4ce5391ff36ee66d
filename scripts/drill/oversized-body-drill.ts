import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

import { sql } from "drizzle-orm";

import { queryRows } from "../../src/db/query-rows.js";
import type { HostileAnswer } from "../../src/simulator/hostile-answers.js";
import { watchProcess } from "../../bench/proc-stat.js";
import type { Drill } from "./drill.js";
import { DRILL_TOKEN, DrillSubject } from "./drill-subject.js";

/** Peak resident set a sync process may reach against any body. */
const MAX_RSS_MB = 300;
const MB = 1024 * 1024;

/** The heap flags of the CLI's shebang, so the process measured is the one users run. */
function cliNodeFlags(): string[] {
  const first = readFileSync("src/cli/main.ts", "utf8").split("\n", 1)[0] ?? "";
  return /^#!\S*env\s+(?:-S\s+)?node((?:\s+-\S+)*)\s*$/.exec(first)?.[1]?.trim().split(/\s+/) ?? [];
}

interface CliOutcome {
  code: number | null;
  stderr: string;
  peakRssMb: number;
}

/** `metastudio-sync sync --full` in a process of its own, its peak RSS read from /proc. */
function syncProcess(subject: DrillSubject, timeoutMs = 120_000): Promise<CliOutcome> {
  const child = spawn(
    process.execPath,
    [...cliNodeFlags(), "--import", "tsx", "src/cli/main.ts", "sync", "--full"],
    {
      env: {
        PATH: process.env.PATH ?? "",
        DATABASE_URL: subject.databaseUrl,
        METASTUDIO_ENDPOINT: subject.sim.url,
        METASTUDIO_PROJECT_IDS: subject.projectId,
        METASTUDIO_AUTH_TOKEN: DRILL_TOKEN,
        METASTUDIO_RATE_LIMIT: "1000",
        LOG_LEVEL: process.env.DRILL_LOG_LEVEL ?? "silent",
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  const watch = watchProcess(child.pid, 20);
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, stderr, peakRssMb: watch.stop().peakRssMb });
    });
  });
}

/**
 * Drill 10b: the upstream answers a page with a body that never ends, then with one of 200 MB.
 * Before issue 10 the endless one reached 4.5 GB RSS in 26 s and the 200 MB one 3.1 GB. Each
 * sync process must fail with a message naming the limit (METASTUDIO_MAX_BODY_BYTES) and peak
 * under 300 MB; nothing stored may be lost; and the next normal run must succeed, exact.
 */
export const oversizedBodyDrill: Drill = {
  name: "oversized-body",
  async run(context) {
    const subject = await DrillSubject.open(context, { name: "oversized", rooms: context.rooms, seed: 67 });
    try {
      await subject.syncUntilSuccess();
      const stored = await storedCounts(subject);
      const problems: string[] = [];
      const peaks: string[] = [];
      const answers: Array<[string, HostileAnswer]> = [
        ["endless", { kind: "endless" }],
        ["200 MB", { kind: "oversized", bytes: 200 * MB }],
      ];
      for (const [label, answer] of answers) {
        subject.sim.hostile.once("list", answer);
        const outcome = await syncProcess(subject);
        peaks.push(`${label} ${outcome.peakRssMb} MB`);
        if (outcome.code === 0) subject.runsSucceeded += 1;
        else subject.runsFailed += 1;
        context.say(
          `${label} body: exit ${outcome.code}, peak RSS ${outcome.peakRssMb} MB, ` +
            `${Math.round(subject.sim.hostile.bytesSent / MB)} MB sent so far; ${firstLine(outcome.stderr)}`,
        );
        if (outcome.code !== 1) problems.push(`${label}: exit ${outcome.code}, expected 1`);
        if (!/body larger than .*METASTUDIO_MAX_BODY_BYTES/.test(outcome.stderr)) {
          problems.push(`${label}: the error does not name the limit: ${firstLine(outcome.stderr)}`);
        }
        if (outcome.peakRssMb >= MAX_RSS_MB) problems.push(`${label}: peak RSS ${outcome.peakRssMb} MB`);
        const after = await storedCounts(subject);
        if (after.live !== stored.live || after.changes !== stored.changes) {
          problems.push(
            `${label}: stored rooms/changes ${stored.live}/${stored.changes} -> ${after.live}/${after.changes}`,
          );
        }
        if (!after.lastError.includes("METASTUDIO_MAX_BODY_BYTES")) {
          problems.push(`${label}: the failed run's error does not name the limit`);
        }
      }
      const normal = await syncProcess(subject);
      if (normal.code === 0) subject.runsSucceeded += 1;
      else problems.push(`the normal run after: exit ${normal.code}: ${firstLine(normal.stderr)}`);
      problems.push(...(await subject.verify()));
      return [
        subject.result(
          "10b oversized body",
          `a page of an endless, then a 200 MB body, each to a sync process of its own ` +
            `(peak RSS ${peaks.join(", ")}; limit 32 MB); then a normal run`,
          problems,
        ),
      ];
    } finally {
      await subject.close();
    }
  },
};

async function storedCounts(subject: DrillSubject) {
  const [row] = await queryRows<{ live: number; changes: number; last_error: string | null }>(
    subject.database.db,
    sql`select
      (select count(*)::int from smart_chat_rooms where project_id = ${subject.projectId} and deleted_at is null) as live,
      (select count(*)::int from smart_chat_room_changes where project_id = ${subject.projectId}) as changes,
      (select error from sync_runs where project_id = ${subject.projectId} order by started_at desc limit 1) as last_error`,
  );
  return {
    live: Number(row?.live ?? 0),
    changes: Number(row?.changes ?? 0),
    lastError: row?.last_error ?? "",
  };
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .find((line) => line.trim() && !line.startsWith("Sync failed"))
      ?.trim()
      .slice(0, 200) ?? ""
  );
}
