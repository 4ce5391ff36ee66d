import { InvalidArgumentError, type Command, type Option } from "commander";

import { ENV_HELP } from "./env-help.js";
import { lazyAction } from "./lazy-action.js";
import type { SimulatorFlags } from "./simulator-action.js";

/** Makes an option's parser, given its long flag for the error message. */
type Parser = (flag: string) => (value: string) => unknown;

/** One option as `Command.option` takes it; commander names its SimulatorFlags field after the flag. */
interface OptionSpec {
  flags: string;
  help: string;
  parse?: Parser;
  /** Absent: the flag is undefined unless given. */
  default?: unknown;
}

/** In help order. */
const OPTIONS: readonly OptionSpec[] = [
  { flags: "--host <address>", help: "bind address", default: "127.0.0.1" },
  { flags: "--port <n>", help: "port (0 picks a free one)", parse: integer(0, 65535), default: 8080 },
  { flags: "--rooms <n>", help: "rooms per project", parse: integer(0, 10_000_000), default: 1000 },
  {
    flags: "--seed <n>",
    help: "dataset seed: the same seed and size give the same rooms",
    parse: integer(0, 2 ** 31),
    default: 1,
  },
  {
    flags: "--latency-ms <n>",
    help: "delay added to every response",
    parse: integer(0, 600_000),
    default: 0,
  },
  { flags: "--error-rate <r>", help: "share of requests answered 500", parse: rate, default: 0 },
  {
    flags: "--throttle-rate <r>",
    help: "share of requests answered 429 APIGW.0308",
    parse: rate,
    default: 0,
  },
  {
    flags: "--rate-limit <n>",
    help: "throttle beyond this many requests per second",
    parse: integer(1, 1_000_000),
  },
  { flags: "--reset-rate <r>", help: "share of connections reset mid-response", parse: rate, default: 0 },
  { flags: "--truncate-rate <r>", help: "share of bodies cut short", parse: rate, default: 0 },
  { flags: "--unstable-order", help: "reorder rooms with equal timestamps on every request", default: false },
  {
    flags: "--filter-field <field>",
    help: "what start_time/end_time filter on: update_time, create_time or ignored",
    parse: filterField,
    default: "update_time",
  },
  { flags: "--exclusive-end", help: "treat end_time as exclusive", default: false },
  {
    flags: "--mutations <c,u,d>",
    help: "rooms created, updated, deleted before each list response",
    parse: mutations,
    default: { create: 0, update: 0, delete: 0 },
  },
  {
    flags: "--clock-offset <seconds>",
    help: "how far the upstream's clock is ahead of ours (negative: behind); it stamps rooms and Date with it",
    parse: integer(-86_400, 86_400),
    default: 0,
  },
  {
    flags: "--churn-per-request <n>",
    help: "rooms changed before each list response (fractions accumulate: 0.5 is every other request)",
    parse: decimal,
    default: 0,
  },
  {
    flags: "--churn-per-second <n>",
    help: "rooms changed per second while clients page",
    parse: decimal,
    default: 0,
  },
  {
    flags: "--churn-mix <c,u,d>",
    help: "relative weights of creations, edits and deletions in the churn",
    parse: weights,
    default: { create: 0, update: 1, delete: 0 },
  },
];

export function registerSimulatorCommand(program: Command): void {
  const command = program
    .command("simulator")
    .description(
      "serve the bundled MetaStudio simulator for the projects and credentials in the environment",
    );
  for (const spec of OPTIONS) command.addOption(toOption(command, spec));
  command
    .addHelpText("after", ENV_HELP.simulator)
    .action(lazyAction(async () => (await import("./simulator-action.js")).simulatorAction));
}

/** What `Command.option(flags, help, parse?, default?)` would add. */
function toOption(command: Command, spec: OptionSpec): Option {
  const option = command.createOption(spec.flags, spec.help);
  if (spec.parse) option.argParser(spec.parse(option.long ?? spec.flags));
  // A copy per command, as the object literals each registration made before were.
  if ("default" in spec) option.default(structuredClone(spec.default));
  return option;
}

function integer(min: number, max: number): Parser {
  return (flag) =>
    (value: string): number => {
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

function filterField(flag: string) {
  return (value: string): SimulatorFlags["filterField"] => {
    if (value === "update_time" || value === "create_time" || value === "ignored") return value;
    throw new InvalidArgumentError(`${flag} must be update_time, create_time or ignored.`);
  };
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

function mutations(flag: string) {
  return (value: string): SimulatorFlags["mutations"] => {
    const parts = value.split(",").map(Number);
    if (parts.length !== 3 || parts.some((n) => !Number.isInteger(n) || n < 0)) {
      throw new InvalidArgumentError(
        `${flag} takes three whole numbers: created,updated,deleted (e.g. 1,2,1).`,
      );
    }
    const [create = 0, update = 0, del = 0] = parts;
    return { create, update, delete: del };
  };
}
