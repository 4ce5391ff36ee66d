import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "msync-fifo-"));
const fifo = join(dir, "fifo");
execFileSync("mkfifo", [fifo]);

/**
 * The CLI's start-up with `env`, in a child: opening a FIFO blocked the whole process, so in
 * this one no timeout could fire; the child's is killed after 15 s instead.
 */
function start(env: Record<string, string>, command = "status"): { status: number | null; stderr: string } {
  const child = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", command], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: "utf8",
    timeout: 15_000,
  });
  return { status: child.status, stderr: child.stderr };
}

describe("a FIFO named as a settings file", () => {
  it("is refused at once as METASTUDIO_CONFIG, not read forever", () => {
    const { status, stderr } = start({ METASTUDIO_CONFIG: fifo });
    expect(stderr).toContain(`METASTUDIO_CONFIG names ${fifo}, which is not a regular file.`);
    expect(status).toBe(2);
  }, 20_000);

  // `sync`: `status` reads no credential, so never opens the file.
  it("is refused at once as a *_FILE secret", () => {
    const { status, stderr } = start(
      {
        METASTUDIO_ENDPOINT: "http://127.0.0.1:1",
        METASTUDIO_PROJECT_IDS: "p1",
        METASTUDIO_AUTH_TOKEN_FILE: fifo,
      },
      "sync",
    );
    expect(stderr).toContain(`METASTUDIO_AUTH_TOKEN_FILE names ${fifo}, which is not a regular file.`);
    expect(status).toBe(2);
  }, 20_000);

  it("is refused at once as METASTUDIO_PROJECT_IDS_FILE, which status reads", () => {
    const { status, stderr } = start({ METASTUDIO_PROJECT_IDS_FILE: fifo });
    expect(stderr).toContain(`METASTUDIO_PROJECT_IDS_FILE names ${fifo}, which is not a regular file.`);
    expect(status).toBe(2);
  }, 20_000);
});
