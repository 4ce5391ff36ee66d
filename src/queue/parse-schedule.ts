import { ConfigError } from "../config/config-error.js";

/** What a BullMQ job scheduler repeats on: a fixed interval, or a cron pattern. */
export type Schedule = { every: number } | { pattern: string; tz: string };

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const INTERVAL = /^(?:\d+[smhd])+$/;
const INTERVAL_PART = /(\d+)([smhd])/g;
const CRON_FIELD = /^[0-9A-Za-z*/,?#-]+$/;
const MIN_EVERY_MS = 1000;
const MAX_EVERY_MS = 366 * UNIT_MS.d;

/**
 * Reads `SYNC_INCREMENTAL_EVERY` or `SYNC_FULL_EVERY`: an interval (`30s`, `5m`, `1h`, `1d`, or
 * a sum such as `1h30m`) or a 5- or 6-field cron pattern (seconds first when 6). Cron patterns
 * are read in UTC, so workers on hosts in different time zones agree on when a run is due.
 * The check here is structural; BullMQ rejects a pattern whose fields are out of range when the
 * scheduler is stored, and the worker reports that against the same variable.
 */
export function parseSchedule(raw: string, variable: string): Schedule {
  const value = raw.trim();
  const compact = value.replace(/\s+/g, "").toLowerCase();
  if (INTERVAL.test(compact)) {
    let every = 0;
    for (const [, amount, unit] of compact.matchAll(INTERVAL_PART)) {
      every += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
    }
    if (every < MIN_EVERY_MS || every > MAX_EVERY_MS) {
      throw new ConfigError(`${variable} must be from 1s to 366d; got ${JSON.stringify(raw)}.`);
    }
    return { every };
  }
  const fields = value.split(/\s+/);
  if ((fields.length === 5 || fields.length === 6) && fields.every((field) => CRON_FIELD.test(field))) {
    return { pattern: fields.join(" "), tz: "UTC" };
  }
  throw new ConfigError(
    `${variable} must be an interval such as 30s, 5m, 1h or 1d, or a cron pattern such as ` +
      `"*/5 * * * *"; got ${JSON.stringify(raw)}.`,
  );
}
