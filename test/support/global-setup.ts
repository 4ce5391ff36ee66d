import type {} from "vitest";
import type { TestProject } from "vitest/node";

import { startServices, type Services } from "./services.js";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}

/** Resolves Postgres and Redis once for the whole run and hands their URLs to every test file. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let services: Services;
  try {
    services = await startServices();
  } catch (error) {
    // One line saying what to install, not vitest's stack trace of the setup file.
    console.error(`\n${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  project.provide("databaseUrl", services.databaseUrl);
  project.provide("redisUrl", services.redisUrl);
  return services.stop;
}
