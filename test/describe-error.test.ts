import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { openDatabase } from "../src/db/open-database.js";
import { clipText, clippedError, clipToken, describeError } from "../src/describe-error.js";
import { useTestDatabase } from "./support/use-test-database.js";

const database = useTestDatabase({ migrate: false });

describe("describeError", () => {
  it("gives Postgres's reason, SQLSTATE and constraint instead of Drizzle's query and parameters", async () => {
    await database.db.execute(sql`create table t (id text primary key)`);
    await database.db.execute(sql`insert into t values ('a')`);
    const batch = "x".repeat(200_000);
    const failure = await database.db
      .execute(sql`insert into t values ('a'), (${batch})`)
      .catch((error: unknown) => error);
    // What used to be stored: the whole statement and its parameters.
    expect((failure as Error).message).toContain("params:");
    const text = describeError(failure);
    expect(text).toContain("duplicate key value violates unique constraint");
    expect(text).toContain("SQLSTATE 23505");
    expect(text).toContain("constraint t_pkey");
    expect(text).not.toContain("params");
    expect(text).not.toContain("xxxxxxxxxx");
    expect(text.length).toBeLessThanOrEqual(2000);
  });

  it("names why a query failed when Postgres gave no reason (no connection), never the query", async () => {
    const unreachable = await openDatabase({
      databaseUrl: "postgres://postgres@127.0.0.1:1/none",
      embeddedDataDir: "",
    });
    try {
      const failure = await unreachable.db.execute(sql`select ${"y".repeat(5000)}`).catch((e: unknown) => e);
      const described = describeError(failure);
      expect(described).toMatch(/^a database query failed: .*ECONNREFUSED/);
      expect(described).not.toContain("yyyy");
    } finally {
      await unreachable.close();
    }
  });

  it("keeps the context a wrapper added, and clips everything else", () => {
    const inner = new Error(`Failed query: insert ...\nparams: ${"y".repeat(50_000)}`);
    expect(describeError(new Error("writing the batch", { cause: inner }))).toBe("writing the batch");
    expect(describeError(inner)).toBe("a database query failed");
    const long = describeError(new Error("z".repeat(10_000)));
    expect(long.length).toBeLessThan(2100);
    expect(long).toMatch(/more characters\)$/);
    expect(describeError("a string")).toBe("a string");
  });

  it("makes errors for BullMQ whose message and stack are both bounded", () => {
    const error = clippedError(new Error("w".repeat(1_000_000)));
    expect(error.message.length).toBeLessThan(2100);
    expect(error.stack!.length).toBeLessThan(2200);
  });
});

describe("clipText and clipToken", () => {
  it("never splits a surrogate pair", () => {
    const text = `${"a".repeat(9)}😀tail`;
    expect(clipText(text, 10).startsWith("a".repeat(9) + "…")).toBe(true);
  });
  it("escapes control characters so upstream text cannot drive a terminal or forge a log line", () => {
    expect(clipToken("MSS\u001b[31m\nX")).toBe("MSS\\x1b[31m\\x0aX");
    expect(clipToken("q".repeat(500))!.length).toBe(129);
    expect(clipToken(undefined)).toBeUndefined();
  });
});
