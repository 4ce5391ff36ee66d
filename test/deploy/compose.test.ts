import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { loadConfig } from "../../src/config/config.js";

/**
 * No Docker engine runs in CI, so `docker compose config` is out of reach: this checks what it
 * would, and what a deployment relies on, from the files themselves.
 */
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  env_file?: Array<{ path: string; required: boolean }>;
  secrets?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  profiles?: string[];
  ports?: string[];
}
const composeText = readFileSync("docker-compose.yml", "utf8");
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  secrets: Record<string, { file: string }>;
};
const trial = parse(readFileSync("compose.trial.yml", "utf8")) as { services: Record<string, Service> };
const dockerfile = readFileSync("Dockerfile", "utf8");

describe("docker-compose.yml", () => {
  it("runs Postgres, Redis and the worker, each with a healthcheck", () => {
    for (const name of ["postgres", "redis", "worker"]) {
      expect(compose.services[name]?.healthcheck?.test.length, name).toBeGreaterThan(0);
    }
    expect(trial.services.simulator?.healthcheck?.test.length).toBeGreaterThan(0);
  });

  it("keeps Redis safe for BullMQ: AOF on, noeviction", () => {
    const command = compose.services.redis!.command!.join(" ");
    expect(command).toContain("--appendonly yes");
    expect(command).toContain("--maxmemory-policy noeviction");
  });

  it("starts the worker only once its stores are healthy, with both URLs and a token", () => {
    const worker = compose.services.worker!;
    expect(worker.depends_on).toEqual({
      postgres: { condition: "service_healthy" },
      redis: { condition: "service_healthy" },
    });
    expect(worker.environment?.DATABASE_URL_FILE).toBe("/run/secrets/database_url");
    expect(worker.environment?.REDIS_URL).toBe("redis://redis:6379");
    expect(worker.environment?.ADMIN_TOKEN_FILE).toBe("/run/secrets/admin_token");
    expect(worker.ports).toEqual(["127.0.0.1:9464:9464"]);
  });

  it("hands every line of an optional .env to the worker, and overrides none of its choices", () => {
    const worker = compose.services.worker!;
    expect(worker.env_file).toEqual([{ path: ".env", required: false }]);
    // Only what Compose itself knows: its services' addresses and the secrets' paths.
    expect(Object.keys(worker.environment!).sort()).toEqual(
      [
        "ADMIN_HOST",
        "ADMIN_PORT",
        "ADMIN_TOKEN_FILE",
        "DATABASE_URL_FILE",
        "HUAWEICLOUD_IAM_PASSWORD_FILE",
        "HUAWEICLOUD_SDK_SECURITY_TOKEN_FILE",
        "HUAWEICLOUD_SDK_SK_FILE",
        "METASTUDIO_AUTH_TOKEN_FILE",
        "REDIS_URL",
      ].sort(),
    );
  });

  it("passes every secret as a compose secret read through NAME_FILE", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (!variable.endsWith("_FILE")) continue;
        const secret = /^\/run\/secrets\/(\w+)$/.exec(value)?.[1];
        expect(secret, `${name} ${variable}`).toBeDefined();
        expect(service.secrets, `${name} lists ${secret}`).toContain(secret);
        expect(compose.secrets[secret!]?.file).toBe(`./secrets/${secret}`);
      }
    }
    expect(compose.services.postgres!.environment?.POSTGRES_PASSWORD_FILE).toBe(
      "/run/secrets/postgres_password",
    );
    // No password in the file itself, not even a default one.
    expect(composeText).not.toMatch(/PASSWORD:\s*\$\{/);
  });

  it("keeps the simulator and its endpoint, project and token in the trial override only", () => {
    expect(compose.services.simulator).toBeUndefined();
    expect(JSON.stringify(compose)).not.toMatch(/simulator|trial-token|demo-project/);
    expect(trial.services.simulator!.command![0]).toBe("simulator");
    expect(trial.services.worker!.environment).toMatchObject({
      METASTUDIO_ENDPOINT: "http://simulator:8080",
      METASTUDIO_AUTH_TOKEN: "trial-token",
    });
    expect(trial.services.worker!.depends_on).toEqual({ simulator: { condition: "service_healthy" } });
  });

  it("gives the worker a working configuration from .env.example and the secrets script, and the trial the simulator's", () => {
    const dir = mkdtempSync(join(tmpdir(), "msync-compose-"));
    mkdirSync(join(dir, "scripts"));
    copyFileSync("scripts/compose-secrets.sh", join(dir, "scripts/compose-secrets.sh"));
    execFileSync("sh", [join(dir, "scripts/compose-secrets.sh")]);
    const secret = (name: string) => readFileSync(join(dir, "secrets", name), "utf8");
    expect(secret("admin_token")).toMatch(/^[0-9a-f]{64}$/);
    expect(secret("database_url")).toBe(
      `postgres://metastudio:${secret("postgres_password")}@postgres:5432/metastudio`,
    );
    for (const name of Object.keys(compose.secrets)) expect(() => secret(name), name).not.toThrow();
    // Run again, it keeps what it made: the admin token is still the one the user noted.
    const token = secret("admin_token");
    execFileSync("sh", [join(dir, "scripts/compose-secrets.sh")]);
    expect(secret("admin_token")).toBe(token);

    // The worker's environment as Compose builds it: .env, then `environment`, secrets mounted.
    const dotenv = Object.fromEntries(
      readFileSync(".env.example", "utf8")
        .split("\n")
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    const mounted = (env: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(env).map(([k, v]) => [k, v.replace(/^\/run\/secrets\//, `${dir}/secrets/`)]),
      );
    const real = {
      ...dotenv,
      METASTUDIO_PROJECT_IDS: "p1",
      ...mounted(compose.services.worker!.environment!),
    };
    // Nothing falls back to the trial's token: without a credential, the worker says so.
    expect(() => loadConfig(real)).toThrow(/No MetaStudio credentials/);
    writeFileSync(join(dir, "secrets/metastudio_auth_token"), "a-real-token\n");
    const config = loadConfig(real);
    expect(config.accounts[0]!.auth).toEqual({ kind: "token", token: "a-real-token" });
    expect(config.admin.token).toBe(token);
    expect(config.databaseUrl).toBe(secret("database_url"));

    const trialEnv = { ...real, ...mounted(trial.services.worker!.environment!) };
    const trialConfig = loadConfig(trialEnv);
    expect(trialConfig.accounts[0]!.endpoint).toBe("http://simulator:8080");
    expect(trialConfig.accounts[0]!.auth).toEqual({ kind: "token", token: "trial-token" });
  });

  it("names only volumes it declares", () => {
    expect(Object.keys(compose.volumes).sort()).toEqual(["postgres-data", "redis-data"]);
  });
});

describe("Dockerfile", () => {
  it("builds in one stage and runs from another, on an LTS Node", () => {
    const stages = dockerfile.match(/^FROM node:(\d+)-\S+ AS (\w+)/gm) ?? [];
    expect(stages).toHaveLength(2);
    const major = Number(/^FROM node:(\d+)/m.exec(dockerfile)?.[1]);
    expect(major % 2).toBe(0); // even majors are the LTS lines
  });

  it("copies into the build stage every file `npm run build` names", () => {
    const buildStage = dockerfile.slice(0, dockerfile.lastIndexOf("FROM "));
    const sources = [...buildStage.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(" "));
    const { build } = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { build: string } })
      .scripts;
    const files = build.match(/[\w./-]+\.(?:ts|json)\b/g) ?? [];
    expect(files).toContain("scripts/bundle-cli.ts");
    for (const file of files) {
      expect(
        sources.some((source) => source === file || file.startsWith(`${source.replace(/\/$/, "")}/`)),
        file,
      ).toBe(true);
    }
  });

  it("installs production dependencies only and runs as a non-root user", () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf("FROM "));
    expect(runtime).toContain("npm ci --omit=dev");
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toContain("COPY migrations ./migrations");
  });
});
