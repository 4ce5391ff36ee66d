import type { RunProgress } from "../sync/run-sync.js";
import { escapeControl } from "./exit-codes.js";
import { formatProgress } from "./format-progress.js";

/**
 * One line on a terminal, rewritten in place at most a few times a second; nothing at all when
 * stderr is not a terminal, so logs and CI output stay clean. Each project's rate and ETA count
 * from its own first update: projects run one after another, or at once in a worker.
 */
export class ProgressLine {
  private lastDraw = 0;
  private readonly startedAt = new Map<string, number>();
  private readonly enabled: boolean;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = stream.isTTY === true;
  }

  /** The project's run starts now (otherwise: at its first update, after its first page). */
  begin(projectId: string): void {
    this.startedAt.set(projectId, performance.now());
  }

  update(progress: RunProgress): void {
    if (!this.enabled) return;
    const now = performance.now();
    const started = this.startedAt.get(progress.projectId) ?? now;
    this.startedAt.set(progress.projectId, started);
    if (now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const line = escapeControl(formatProgress(progress, now - started));
    // Wider than the terminal, the line would wrap and \r would no longer reach its start.
    const width = this.stream.columns > 0 ? this.stream.columns - 1 : line.length;
    this.stream.write(`\r\x1b[K${line.slice(0, width)}`);
  }

  clear(): void {
    if (this.enabled) this.stream.write("\r\x1b[K");
  }
}
