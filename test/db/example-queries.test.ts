import { readFileSync } from "node:fs";

import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";

import { fillHistory } from "../../bench/history-rows.js";
import { queryRows } from "../../src/db/query-rows.js";
import { readBetween } from "../../src/db/render-table-docs.js";
import { useTestDatabase } from "../support/use-test-database.js";

const PARAMS: Record<string, string> = {
  $1: "'p-1'",
  $2: "'room-0000421'",
  $3: "'model-7'",
  $4: "'XIAOICE'",
};

/** The README's indexed example queries, one statement each, placeholders filled in. */
function exampleQueries(): string[] {
  const block = readBetween(
    readFileSync("README.md", "utf8"),
    "<!-- BEGIN indexed example queries -->",
    "<!-- END indexed example queries -->",
  );
  const code = block.replace(/```sql|```/g, "");
  return code
    .split(";")
    .map((statement) => statement.replace(/--.*$/gm, "").trim())
    .filter((statement) => statement.length > 0)
    .map((statement) => statement.replace(/\$\d/g, (p) => PARAMS[p]!));
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}

function seqScans(node: PlanNode): string[] {
  const own = node["Node Type"] === "Seq Scan" ? [node["Relation Name"] ?? "?"] : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScans)];
}

const database = useTestDatabase();
beforeAll(async () => {
  await fillHistory(database.db, { rooms: 100_000, projects: 4 });
}, 300_000);

describe("the README's example queries at 100,000 rooms", () => {
  it("each uses an index, none reads a table sequentially", async () => {
    const queries = exampleQueries();
    expect(queries.length).toBeGreaterThanOrEqual(7);
    for (const query of queries) {
      const [row] = await queryRows<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(
        database.db,
        sql.raw(`explain (format json) ${query}`),
      );
      expect(seqScans(row!["QUERY PLAN"][0]!.Plan), query).toEqual([]);
    }
  });
});
