import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = resolve(".");
const dir = mkdtempSync(join(tmpdir(), "msync-consumer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONSUMER = `
import { and, eq, isNull } from "drizzle-orm";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { smartChatRooms, type SmartChatRoomRow } from "metastudio-sync/schema";
import { smartChatRoomChanges, smartChatRoomsLive, encodeCursor, type SmartChatRoomChangeRow } from "metastudio-sync";

export async function names(db: NodePgDatabase): Promise<Array<string | null>> {
  const rows: SmartChatRoomRow[] = await db.select().from(smartChatRooms)
    .where(and(eq(smartChatRooms.projectId, "p"), isNull(smartChatRooms.deletedAt)));
  const live = await db.select({ id: smartChatRoomsLive.roomId }).from(smartChatRoomsLive);
  const changes: SmartChatRoomChangeRow[] = await db.select().from(smartChatRoomChanges);
  const before: Record<string, unknown> | null = changes[0]?.before ?? null;
  void [live, before, encodeCursor({ xid: "1", id: "1" })];
  return rows.map((r) => r.roomName);
}
// @ts-expect-error: the columns are typed, a wrong one does not compile
export const wrong = smartChatRooms.roomNam;
`;

describe("the package's exports", () => {
  it("let a TypeScript consumer import the schema, row types and feed helpers by package name", async () => {
    // The package as installed: its package.json and a build of src into dist, with declarations.
    const pkg = join(dir, "node_modules", "metastudio-sync");
    mkdirSync(pkg, { recursive: true });
    cpSync(join(root, "package.json"), join(pkg, "package.json"));
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    await run(process.execPath, [
      tsc,
      "-p",
      join(root, "tsconfig.build.json"),
      "--outDir",
      join(pkg, "dist"),
    ]);
    for (const dep of ["drizzle-orm", "@types", "pg", "@electric-sql"]) {
      symlinkSync(join(root, "node_modules", dep), join(dir, "node_modules", dep));
    }
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(join(dir, "consumer.ts"), CONSUMER);
    const options = ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext"];
    const result = await run(
      process.execPath,
      [tsc, ...options, "--skipLibCheck", join(dir, "consumer.ts")],
      {
        cwd: dir,
      },
    ).catch((error: { stdout: string }) => error);
    expect(result.stdout).toBe("");
  }, 300_000);
});
