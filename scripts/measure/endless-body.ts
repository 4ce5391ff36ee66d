/** Measures memory against an endless 200 body: `/usr/bin/time -v node --import tsx scripts/measure/endless-body.ts`. */
import { createLogger } from "../../src/logger.js";
import { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { startSimulator } from "../../src/simulator/simulator.js";
import { simulatorClientConfig } from "../../src/simulator/simulator-client-config.js";
const sim = await startSimulator({
  projectIds: ["p"],
  roomsPerProject: 1,
  credentials: { accessKeys: {}, tokens: ["t"], iamUsers: [] },
});
sim.hostile.always("list", { kind: "endless" });
const client = new MetaStudioClient({
  config: simulatorClientConfig(sim.url, ["p"], "t", { maxAttempts: 3, requestTimeoutMs: 120_000 }),
  logger: createLogger("silent"),
});
const error = await client
  .listSmartChatRooms({ projectId: "p", offset: 0, limit: 100 })
  .catch((e: unknown) => e);
console.log(
  (error as Error).message,
  "bytes sent",
  sim.hostile.bytesSent,
  "rss MB",
  Math.round(process.memoryUsage().rss / 1e6),
);
await client.close();
await sim.close();
