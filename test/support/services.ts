/**
 * Where the tests find Postgres and Redis, in this order: DATABASE_URL / REDIS_URL when set;
 * otherwise containers started through testcontainers when a Docker engine answers; otherwise
 * a failure that names both ways, before any test runs.
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

  const { GenericContainer, Wait, getContainerRuntimeClient } = await import("testcontainers");
  try {
    await getContainerRuntimeClient();
  } catch (cause) {
    throw new Error(
      "Tests need Postgres and Redis: set DATABASE_URL and REDIS_URL (as .ci/run does), " +
        "or run a Docker engine so testcontainers can start them.",
      { cause },
    );
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
