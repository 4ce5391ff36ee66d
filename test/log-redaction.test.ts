import { Writable } from "node:stream";
import { inspect } from "node:util";

import { ReplyError as IoredisReplyError } from "ioredis";
import { afterEach, describe, expect, it, vi } from "vitest";

import { reportError } from "../src/cli/exit-codes.js";
import { createLogger, serializeError } from "../src/logger.js";
import { withoutCommandArgs } from "../src/without-command-args.js";

const PASSWORD = "RedisPw-SECRET-1";
const ReplyError = IoredisReplyError as new (message: string) => Error;

/** A refused AUTH as ioredis reports it: the command, with its args, on the error. */
function refusedAuth(command = "auth", args: unknown[] = [PASSWORD]): Error {
  const error = new ReplyError("WRONGPASS invalid username-password pair or user is disabled.");
  Object.assign(error, { command: { name: command, args } });
  return error;
}

function captureLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger("debug", sink), text: () => lines.join("") };
}

afterEach(() => vi.restoreAllMocks());

describe("withoutCommandArgs", () => {
  it("keeps the command's name and drops its args, for every command", () => {
    for (const [name, args] of [
      ["auth", [PASSWORD]],
      ["hello", [3, "AUTH", "default", PASSWORD]],
      ["migrate", ["h", 6379, "k", 0, 5000, "AUTH", PASSWORD]],
      ["config", ["SET", "requirepass", PASSWORD]],
      ["get", ["some-key"]],
    ] as const) {
      const scrubbed = withoutCommandArgs(refusedAuth(name, [...args]));
      expect((scrubbed as unknown as { command: unknown }).command).toEqual({ name });
      expect(inspect(scrubbed, { depth: 10 })).not.toContain(PASSWORD);
    }
  });

  it("reaches causes, held errors and plain objects, and keeps what errors are", () => {
    const original = refusedAuth();
    const outer = new Error("Redis at REDIS_URL does not answer", { cause: original });
    const bag = {
      error: new AggregateError([refusedAuth("hello")], "all failed"),
      nested: [{ previousErrors: [refusedAuth()] }],
    };
    const scrubbedOuter = withoutCommandArgs(outer);
    const scrubbedBag = withoutCommandArgs(bag);
    expect(inspect(scrubbedOuter, { depth: 10 })).not.toContain(PASSWORD);
    expect(JSON.stringify(scrubbedBag)).not.toContain(PASSWORD);
    expect(inspect(scrubbedBag, { depth: 10 })).not.toContain(PASSWORD);
    // Same class, message, stack and cause chain: it prints as the original did.
    const cause = scrubbedOuter.cause as Error;
    expect(cause).toBeInstanceOf(ReplyError);
    expect(cause.message).toBe(original.message);
    expect(cause.stack).toBe(original.stack);
    expect(Array.isArray(scrubbedBag.nested)).toBe(true);
    expect(Object.keys(cause)).toEqual(Object.keys(original));
    // The original is untouched, and what holds no command is returned as it is.
    expect((original as unknown as { command: { args: unknown[] } }).command.args).toEqual([PASSWORD]);
    const plain = { err: new Error("boom"), n: 1 };
    expect(withoutCommandArgs(plain)).toBe(plain);
  });

  it("survives cycles", () => {
    const error = refusedAuth() as Error & { self?: unknown };
    error.self = { back: error };
    const scrubbed = withoutCommandArgs(error) as Error & { self: { back: unknown } };
    expect(scrubbed.self.back).toBe(scrubbed);
    expect(inspect(scrubbed, { depth: 10 })).not.toContain(PASSWORD);
  });
});

describe("the logger", () => {
  it("never writes a command's args, wherever the error is", () => {
    const { logger, text } = captureLogger();
    logger.warn({ err: refusedAuth() }, "redis connection error");
    logger.warn(refusedAuth(), "logged on its own");
    logger.warn({ err: new Error("outer", { cause: refusedAuth() }) }, "as a cause");
    logger.warn({ err: new AggregateError([refusedAuth("hello")]) }, "held");
    logger.warn({ error: refusedAuth(), detail: { inner: refusedAuth("migrate") } }, "other keys");
    logger.child({ err: refusedAuth() }).info("a binding");
    const out = text();
    expect(out).not.toContain(PASSWORD);
    expect(out).toContain('"command":{"name":"auth"}');
    expect(out).toContain("WRONGPASS");
    expect(out.trim().split("\n")).toHaveLength(6);
  });

  it("serializes an error as pino's own serializer does, minus the args", () => {
    const serialized = serializeError(refusedAuth()) as Record<string, unknown>;
    expect(serialized).toMatchObject({
      type: "ReplyError",
      message: "WRONGPASS invalid username-password pair or user is disabled.",
      command: { name: "auth" },
    });
    expect(JSON.stringify(serialized)).not.toContain(PASSWORD);
  });
});

describe("reportError --verbose", () => {
  it("prints the causes without a command's args", () => {
    let out = "";
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    reportError(new Error("Redis at REDIS_URL does not answer.", { cause: refusedAuth() }), true);
    vi.restoreAllMocks();
    expect(out).toContain("WRONGPASS");
    expect(out).toContain("name: 'auth'");
    expect(out).not.toContain(PASSWORD);
  });
});
