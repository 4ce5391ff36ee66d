/**
 * CPU time and peak memory of other processes, read from Linux's /proc: how the bench measures
 * the CLI it spawns and the Postgres backends that serve it without instrumenting either.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Clock ticks per second of utime/stime; 100 on every Linux the bench has met. */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * User plus system CPU seconds a live process has used; undefined once it is gone (or off Linux).
 * The command name in field 2 may hold spaces and parentheses, so fields are counted after its
 * last `)`: utime and stime are fields 14 and 15.
 */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Peak resident set of a live process in kB; 0 once it is gone. */
export function vmHwmKb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Follows one child process until it exits: its CPU seconds and peak RSS, polled every
 * `intervalMs`. Both only grow, so the last reading before exit is the total give or take the
 * final interval (a process's /proc entry is gone once Node has reaped it).
 */
export function watchProcess(pid: number | undefined, intervalMs = 50) {
  let cpu = 0;
  let peakKb = 0;
  const read = () => {
    cpu = cpuSeconds(pid) ?? cpu;
    peakKb = Math.max(peakKb, vmHwmKb(pid));
  };
  read();
  const timer = setInterval(read, intervalMs);
  return {
    stop(): { cpuSeconds: number; peakRssMb: number } {
      clearInterval(timer);
      read();
      return { cpuSeconds: cpu, peakRssMb: Math.round(peakKb / 1024) };
    },
  };
}
