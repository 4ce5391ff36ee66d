import { InvalidArgumentError, type Command } from "commander";

import { ENV_HELP } from "./env-help.js";
import { lazyAction } from "./lazy-action.js";
import type { SimulatorFlags } from "./simulator-action.js";

export function registerSimulatorCommand(program: Command): void {
  program
    .command("simulator")
    .description("serve the bundled MetaStudio simulator for the projects and credentials in the environment")
    .option("--host <address>", "bind address", "127.0.0.1")
    .option("--port <n>", "port (0 picks a free one)", integer("--port", 0, 65535), 8080)
    .option("--rooms <n>", "rooms per project", integer("--rooms", 0, 10_000_000), 1000)
    .option(
      "--seed <n>",
      "dataset seed: the same seed and size give the same rooms",
      integer("--seed", 0, 2 ** 31),
      1,
    )
    .option("--latency-ms <n>", "delay added to every response", integer("--latency-ms", 0, 600_000), 0)
    .option("--error-rate <r>", "share of requests answered 500", rate("--error-rate"), 0)
    .option("--throttle-rate <r>", "share of requests answered 429 APIGW.0308", rate("--throttle-rate"), 0)
    .option(
      "--rate-limit <n>",
      "throttle beyond this many requests per second",
      integer("--rate-limit", 1, 1_000_000),
    )
    .option("--reset-rate <r>", "share of connections reset mid-response", rate("--reset-rate"), 0)
    .option("--truncate-rate <r>", "share of bodies cut short", rate("--truncate-rate"), 0)
    .option("--unstable-order", "reorder rooms with equal timestamps on every request", false)
    .option(
      "--filter-field <field>",
      "what start_time/end_time filter on: update_time, create_time or ignored",
      filterField,
      "update_time",
    )
    .option("--exclusive-end", "treat end_time as exclusive", false)
    .option("--mutations <c,u,d>", "rooms created, updated, deleted before each list response", mutations, {
      create: 0,
      update: 0,
      delete: 0,
    })
    .option(
      "--clock-offset <seconds>",
      "how far the upstream's clock is ahead of ours (negative: behind); it stamps rooms and Date with it",
      integer("--clock-offset", -86_400, 86_400),
      0,
    )
    .option(
      "--churn-per-request <n>",
      "rooms changed before each list response (fractions accumulate: 0.5 is every other request)",
      decimal("--churn-per-request"),
      0,
    )
    .option(
      "--churn-per-second <n>",
      "rooms changed per second while clients page",
      decimal("--churn-per-second"),
      0,
    )
    .option(
      "--churn-mix <c,u,d>",
      "relative weights of creations, edits and deletions in the churn",
      weights("--churn-mix"),
      { create: 0, update: 1, delete: 0 },
    )
    .addHelpText("after", ENV_HELP.simulator)
    .action(lazyAction(async () => (await import("./simulator-action.js")).simulatorAction));
}

function integer(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

function rate(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`${flag} must be from 0 to 1.`);
    return n;
  };
}

function filterField(value: string): SimulatorFlags["filterField"] {
  if (value === "update_time" || value === "create_time" || value === "ignored") return value;
  throw new InvalidArgumentError("--filter-field must be update_time, create_time or ignored.");
}

function decimal(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 10_000) {
      throw new InvalidArgumentError(`${flag} must be a number from 0 to 10000.`);
    }
    return n;
  };
}

function weights(flag: string) {
  return (value: string): SimulatorFlags["churnMix"] => {
    const parts = value.split(",").map((part) => (part.trim() === "" ? Number.NaN : Number(part)));
    if (
      parts.length !== 3 ||
      parts.some((n) => !Number.isFinite(n) || n < 0) ||
      parts.every((n) => n === 0)
    ) {
      throw new InvalidArgumentError(
        `${flag} takes three non-negative weights, not all zero: created,edited,deleted (e.g. 1,8,1).`,
      );
    }
    const [create = 0, update = 0, del = 0] = parts;
    return { create, update, delete: del };
  };
}

function mutations(value: string): SimulatorFlags["mutations"] {
  const parts = value.split(",").map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new InvalidArgumentError(
      "--mutations takes three whole numbers: created,updated,deleted (e.g. 1,2,1).",
    );
  }
  const [create = 0, update = 0, del = 0] = parts;
  return { create, update, delete: del };
}
