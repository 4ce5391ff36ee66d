import type { RunProgress } from "../sync/run-sync.js";

/**
 * One line on a terminal, rewritten in place at most a few times a second; nothing at all when
 * stderr is not a terminal, so logs and CI output stay clean.
 */
export class ProgressLine {
  private lastDraw = 0;
  private readonly started = performance.now();
  private readonly enabled: boolean;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = stream.isTTY === true;
  }

  update(progress: RunProgress): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(progress.rooms / seconds) : 0;
    this.stream.write(
      `\r\x1b[K${progress.projectId}: ${progress.windowsDone} windows, ${progress.pages} pages, ` +
        `${progress.rooms} rooms, ${rate} rooms/s`,
    );
  }

  clear(): void {
    if (this.enabled) this.stream.write("\r\x1b[K");
  }
}
