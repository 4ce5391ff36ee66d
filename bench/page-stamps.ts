/**
 * Micro-benchmark of what every page's stamps cost the engine: the latest stamp, taken twice per
 * page (the window's reader and the upstream clock), and the filter evidence, per 100-room page
 * of a first full sync's rooms, as the engine sees them (parsed from a body). Run it on two
 * builds in turn to compare them.
 *   npx tsx bench/page-stamps.ts [rooms=100000] [rounds=5]
 */
import type { SmartChatRoom } from "../src/metastudio/room-schema.js";
import { generateDataset } from "../src/simulator/dataset.js";
import { filterEvidence } from "../src/sync/filter-evidence.js";
import { latestStamp } from "../src/sync/upstream-clock.js";

const rooms = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 5);
const PAGE = 100;

const items = JSON.parse(JSON.stringify(generateDataset(rooms, 42))) as SmartChatRoom[];
const window = { start: Date.UTC(2000, 0, 1) / 1000, end: Date.UTC(2030, 0, 1) / 1000 };
const times: number[] = [];
let checksum = 0;
for (let round = 0; round < rounds; round += 1) {
  const started = performance.now();
  for (let at = 0; at < items.length; at += PAGE) {
    const page = items.slice(at, at + PAGE);
    checksum += (latestStamp(page) ?? 0) + (latestStamp(page) ?? 0);
    checksum += filterEvidence(window, page)?.length ?? 0;
  }
  times.push(performance.now() - started);
}
const median = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
process.stdout.write(
  `${rooms} rooms: ${((median * 100_000) / rooms).toFixed(1)} ms per 100k rooms (median of ${rounds}; checksum ${checksum})\n`,
);
