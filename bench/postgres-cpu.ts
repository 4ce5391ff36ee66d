/**
 * Postgres CPU spent on one database: the summed CPU of every server process connected to it
 * (client backends, parallel workers, autovacuum), read from /proc while the work runs. The
 * server is shared with other users of the machine, so its background processes are left out:
 * what is counted is the work done for this database's connections.
 */
import pg from "pg";

import { cpuSeconds } from "./proc-stat.js";

export interface PostgresCpuMeter {
  /** CPU seconds of this database's backends since the meter started. */
  stop(): Promise<number>;
}

/**
 * Starts polling `pg_stat_activity` for the backends of `database` every `intervalMs`. A backend
 * is gone from /proc the moment its connection closes, so the last reading of each is kept; the
 * final interval of a backend's life is lost (about `intervalMs` of CPU at most per backend).
 * Backends that were already connected count from the meter's start, new ones from their birth.
 * Needs the server on this machine, in the same PID namespace (a server in a container reports 0).
 */
export async function meterPostgresCpu(
  adminUrl: string,
  database: string,
  intervalMs = 100,
): Promise<PostgresCpuMeter> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const { rows: selfRows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
  const self = selfRows[0]!.pid;
  const baseline = new Map<number, number>();
  const latest = new Map<number, number>();
  const poll = async (first: boolean) => {
    const { rows } = await client.query<{ pid: number }>(
      "select pid from pg_stat_activity where datname = $1 and pid <> $2",
      [database, self],
    );
    for (const { pid } of rows) {
      const cpu = cpuSeconds(pid);
      if (cpu === undefined) continue;
      if (first) baseline.set(pid, cpu);
      latest.set(pid, cpu);
    }
  };
  await poll(true);
  let polling: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    polling = polling.then(() => poll(false)).catch(() => {});
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await polling;
      await poll(false).catch(() => {});
      await client.end();
      let total = 0;
      for (const [pid, cpu] of latest) total += cpu - (baseline.get(pid) ?? 0);
      return total;
    },
  };
}
