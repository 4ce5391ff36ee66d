/**
 * Micro-benchmark of the write's parameter (roomBatchPayload): a first full sync's batches of new
 * rooms, built as the writer builds them, from rooms as the engine sees them (parsed from a body).
 * Run it on two builds in turn to compare them.
 *   npx tsx bench/payload.ts [rooms=100000] [rounds=5]
 */
import type { SmartChatRoom } from "../src/metastudio/room-schema.js";
import { generateDataset } from "../src/simulator/dataset.js";
import { sortedKeys } from "../src/sync/canonical-json.js";
import { roomBatchPayload, type PayloadRoom } from "../src/sync/room-batch-payload.js";
import { prepareRoom } from "../src/sync/room-diff.js";

const rooms = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 5);
const BATCH = 500;

const items = JSON.parse(JSON.stringify(generateDataset(rooms, 42))) as SmartChatRoom[];
const entries: PayloadRoom[] = items.map((room) => ({
  prepared: prepareRoom(room, "3f6c1b0e-request-id"),
  kind: "discovered",
  fields: sortedKeys(room),
}));
const times: number[] = [];
let bytes = 0;
for (let round = 0; round < rounds; round += 1) {
  const started = performance.now();
  bytes = 0;
  for (let at = 0; at < entries.length; at += BATCH)
    bytes += roomBatchPayload(entries.slice(at, at + BATCH)).length;
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
process.stdout.write(
  `${rooms} rooms in batches of ${BATCH}, ${rounds} rounds, Node ${process.version}: median ${median.toFixed(0)} ms ` +
    `(${((median * 100_000) / rooms).toFixed(0)} ms per 100k rooms), ${(bytes / 1e6).toFixed(1)} MB of parameters\n`,
);
