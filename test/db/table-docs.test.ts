import { readFileSync } from "node:fs";

import { sql } from "drizzle-orm";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";

import { queryRows } from "../../src/db/query-rows.js";
import {
  README_BEGIN,
  README_END,
  SQL_BEGIN,
  SQL_END,
  readBetween,
  renderCommentSql,
  renderReadme,
  replaceBetween,
} from "../../src/db/render-table-docs.js";
import { INTERFACE_TABLES, TABLE_DOCS } from "../../src/db/table-docs.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();

describe("table docs: one source for the README and the database comments", () => {
  it("the migration's COMMENT block is the rendered source", () => {
    const migration = readFileSync("migrations/0005_seen_batches.sql", "utf8");
    expect(readBetween(migration, SQL_BEGIN, SQL_END)).toBe(renderCommentSql(TABLE_DOCS));
  });

  it("the README's table descriptions are the rendered source", async () => {
    const readme = readFileSync("README.md", "utf8");
    const expected = await prettier.format(
      replaceBetween(readme, README_BEGIN, README_END, renderReadme(TABLE_DOCS)),
      { filepath: "README.md", ...(await prettier.resolveConfig("README.md")) },
    );
    expect(readme).toBe(expected);
  });

  it("a migrated database carries every comment of the source", async () => {
    for (const doc of TABLE_DOCS) {
      const oid =
        doc.kind === "function"
          ? sql`to_regprocedure(${doc.name}), 'pg_proc'`
          : doc.kind === "type"
            ? sql`to_regtype(${doc.name}), 'pg_type'`
            : sql`to_regclass(${doc.name}), 'pg_class'`;
      const [row] = await queryRows<{ comment: string | null }>(
        database.db,
        sql`select obj_description(${oid}) as comment`,
      );
      expect(row?.comment, doc.name).toBe(doc.description);
    }
    // Every table and view, the engine's own included, is described: a new one fails here.
    const missing = await queryRows<{ name: string }>(
      database.db,
      sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind in ('r', 'v')
             and coalesce(obj_description(c.oid, 'pg_class'), '') = ''`,
    );
    expect(missing).toEqual([]);

    const columns = await queryRows<{ table: string; column: string; comment: string | null }>(
      database.db,
      sql`select c.table_name as "table", c.column_name as "column",
                 col_description(format('%I', c.table_name)::regclass, c.ordinal_position) as comment
            from information_schema.columns c
           where c.table_schema = 'public' and c.table_name in ${INTERFACE_TABLES}`,
    );
    const documented = new Map(
      TABLE_DOCS.flatMap((doc) => (doc.columns ?? []).map(([col, text]) => [`${doc.name}.${col}`, text])),
    );
    expect(columns.length).toBeGreaterThan(60);
    for (const column of columns) {
      expect(column.comment, `${column.table}.${column.column}`).toBe(
        documented.get(`${column.table}.${column.column}`),
      );
    }
  });
});
