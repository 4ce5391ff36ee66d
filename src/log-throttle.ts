import type { Logger } from "./logger.js";

/** @see ErrorLogThrottle */
export interface ErrorLogThrottleOptions {
  /** The longest a repeating error goes without a line saying how often it came. @default 60000 */
  intervalMs?: number;
}

/**
 * Kinds of error tracked at once; beyond them all count as one kind. Redis gives a handful
 * (refused, timed out, WRONGPASS, ...); the bound only keeps odd messages from growing the map.
 */
const MAX_KINDS = 50;

/** Longest part of a message that tells kinds apart. */
const KEY_CHARS = 200;

type Level = "warn" | "error";

interface Window {
  level: Level;
  msg: string;
  error: unknown;
  /** Occurrences not logged since the window opened. */
  repeats: number;
  timer: NodeJS.Timeout;
}

/**
 * Logs errors that repeat without flooding the log. A Redis that refuses the worker (down, or a
 * password that changed) fails every reconnection, several times a second, and each failure
 * reaches the client's, the queue's and the worker's error listeners: 643 lines in two minutes.
 * An error is logged the first time at once; while it keeps coming, one line per interval says
 * how many more there were (`repeats`). Kinds are told apart by the error's name, code and
 * message, not by the listener that saw it: the same failure seen three times is one kind.
 */
export class ErrorLogThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly intervalMs: number;

  constructor(
    private readonly logger: Logger,
    options: ErrorLogThrottleOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 60_000;
  }

  warn(error: unknown, msg: string): void {
    this.log("warn", error, msg);
  }

  error(error: unknown, msg: string): void {
    this.log("error", error, msg);
  }

  /** Logs the repeats not logged yet and stops the timers: at shutdown. */
  flush(): void {
    for (const [key, window] of this.windows) {
      clearTimeout(window.timer);
      this.windows.delete(key);
      this.report(window);
    }
  }

  private log(level: Level, error: unknown, msg: string): void {
    let key = kindOf(error);
    if (!this.windows.has(key) && this.windows.size >= MAX_KINDS) key = "(other kinds)";
    const window = this.windows.get(key);
    if (window === undefined) {
      this.logger[level]({ err: error }, msg);
      this.open(key, { level, msg, error });
      return;
    }
    // The latest occurrence is the one reported: its message and stack are the current ones.
    Object.assign(window, { level, msg, error, repeats: window.repeats + 1 });
  }

  private open(key: string, last: Pick<Window, "level" | "msg" | "error">): void {
    const timer = setTimeout(() => this.close(key), this.intervalMs);
    // A repeat count is no reason for a process that is done to stay alive.
    timer.unref();
    this.windows.set(key, { ...last, repeats: 0, timer });
  }

  /** At the end of an interval: the count if there was one, and a new interval for the rest. */
  private close(key: string): void {
    const window = this.windows.get(key);
    if (window === undefined) return;
    this.windows.delete(key);
    if (window.repeats === 0) return; // It stopped: its next occurrence is logged at once again.
    this.report(window);
    this.open(key, window);
  }

  private report(window: Window): void {
    if (window.repeats === 0) return;
    this.logger[window.level](
      { err: window.error, repeats: window.repeats, interval_ms: this.intervalMs },
      `${window.msg} (repeated)`,
    );
  }
}

function kindOf(error: unknown): string {
  if (!(error instanceof Error)) return `value:${String(error).slice(0, KEY_CHARS)}`;
  const code = (error as { code?: unknown }).code;
  return `${error.name}:${typeof code === "string" ? code : ""}:${error.message.slice(0, KEY_CHARS)}`;
}
