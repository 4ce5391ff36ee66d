import { startSimulator, type SimulatorBehaviour } from "../simulator/simulator.js";
import { simulatorOptionsFromEnv } from "../simulator/simulator-env.js";

export interface SimulatorFlags {
  host: string;
  port: number;
  rooms: number;
  seed: number;
  latencyMs: number;
  errorRate: number;
  throttleRate: number;
  rateLimit?: number;
  resetRate: number;
  truncateRate: number;
  unstableOrder: boolean;
  filterField: SimulatorBehaviour["timeFilterField"];
  exclusiveEnd: boolean;
  mutations: { create: number; update: number; delete: number };
  clockOffset: number;
  churnPerRequest: number;
  churnPerSecond: number;
  churnMix: { create: number; update: number; delete: number };
}

/** `simulator`: serves the simulator for the environment's projects until SIGINT or SIGTERM. */
export async function simulatorAction(flags: SimulatorFlags): Promise<void> {
  const { projectIds, credentials } = simulatorOptionsFromEnv(process.env);
  const simulator = await startSimulator({
    projectIds,
    credentials,
    host: flags.host,
    port: flags.port,
    roomsPerProject: flags.rooms,
    seed: flags.seed,
    behaviour: {
      latencyMs: flags.latencyMs,
      error5xxRate: flags.errorRate,
      throttleRate: flags.throttleRate,
      rateLimitPerSecond: flags.rateLimit,
      resetRate: flags.resetRate,
      truncateRate: flags.truncateRate,
      unstableOrder: flags.unstableOrder,
      timeFilterField: flags.filterField,
      endTimeInclusive: !flags.exclusiveEnd,
      mutationsPerRequest: flags.mutations,
      clockOffsetSeconds: flags.clockOffset,
      churn: { perRequest: flags.churnPerRequest, perSecond: flags.churnPerSecond, mix: flags.churnMix },
    },
  });
  process.stdout.write(
    `MetaStudio simulator listening on ${simulator.url} ` +
      `(${projectIds.length} project(s), ${flags.rooms} rooms each)\n`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await simulator.close();
}
