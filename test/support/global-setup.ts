import type {} from "vitest";
import type { TestProject } from "vitest/node";

import { startServices } from "./services.js";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}

/** Resolves Postgres and Redis once for the whole run and hands their URLs to every test file. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startServices();
  project.provide("databaseUrl", services.databaseUrl);
  project.provide("redisUrl", services.redisUrl);
  return services.stop;
}
