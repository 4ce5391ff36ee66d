/**
 * Micro-benchmark of the per-room content hash: today's canonical-JSON hash (alone, and as the
 * engine makes it, with the copy of the bytes it keeps for the write) against the old
 * implementation it replaced (which must give the same value for every room: stored hashes are
 * compared for equality, so a different value would make every room look changed once) and
 * against a plain sha256 of `JSON.stringify`, the floor for hashing the body at all.
 *   npx tsx bench/hash.ts [rooms=100000] [rounds=5]
 */
import { createHash, hash } from "node:crypto";

import type { SmartChatRoom } from "../src/metastudio/room-schema.js";
import { generateDataset } from "../src/simulator/dataset.js";
import { prepareRoom } from "../src/sync/room-diff.js";
import { contentHash } from "../src/sync/room-record.js";

const rooms = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 5);

/** The canonical JSON of commit c2f7707, kept verbatim as the reference for equal hashes. */
function referenceCanonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(referenceCanonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map(
        (key) => `${JSON.stringify(key)}:${referenceCanonicalJson((value as Record<string, unknown>)[key])}`,
      );
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The digest of commit c2f7707, also kept verbatim. */
const sha256 = (text: string) => createHash("sha256").update(text).digest("base64url");

const candidates: Record<string, (room: unknown) => string> = {
  "reference (before)": (room) => sha256(referenceCanonicalJson(room)),
  "contentHash (now)": contentHash,
  "prepareRoom (+ its copy)": (room) => prepareRoom(room as SmartChatRoom).hash,
  "sha256(JSON.stringify) floor": (room) => hash("sha256", JSON.stringify(room), "base64url"),
};

// As the engine sees them: parsed from a response body.
const items = JSON.parse(JSON.stringify(generateDataset(rooms, 42))) as unknown[];
const mismatches = items.filter((item) => {
  const reference = candidates["reference (before)"]!(item);
  return contentHash(item) !== reference || prepareRoom(item as SmartChatRoom).hash !== reference;
}).length;
process.stdout.write(
  `${rooms} rooms, ${rounds} rounds, Node ${process.version}; hashes differing from the reference: ${mismatches}\n`,
);
for (const [name, hash] of Object.entries(candidates)) {
  const times: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    for (const item of items) hash(item);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  process.stdout.write(
    `${name.padEnd(30)} median ${median.toFixed(0).padStart(6)} ms, ${((median * 100_000) / rooms).toFixed(0)} ms per 100k rooms\n`,
  );
}
if (mismatches > 0) process.exitCode = 1;
