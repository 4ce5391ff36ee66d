import { getTableColumns, getTableName, sql, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

import type { Db } from "./database.js";

export interface InsertJsonRowsOptions {
  /**
   * Appended after the insert, e.g. an `on conflict` clause.
   * @default none
   */
  suffix?: SQL;
}

/**
 * Inserts many rows with one statement and one parameter: the rows travel as a JSON array and
 * Postgres unpacks them with `jsonb_to_recordset`. Drizzle's `.values(rows)` binds one parameter
 * per cell and spends most of a large batch's time building the query (a 500-room batch is
 * 10,000 parameters, each checked and mapped in JavaScript); this keeps the cost of a batch in
 * Postgres, where it is a fraction of that. Column names and types come from the Drizzle table,
 * so the schema stays the one source of truth. Rows must all have the keys of the first row.
 */
export async function insertJsonRows<T extends PgTable>(
  db: Db,
  table: T,
  rows: ReadonlyArray<Partial<T["$inferInsert"]>>,
  options: InsertJsonRowsOptions = {},
): Promise<void> {
  const first = rows[0];
  if (first === undefined) return;
  const columns = Object.entries(getTableColumns(table)).filter(([key]) => key in first);
  const names = sql.raw(columns.map(([, column]) => `"${column.name}"`).join(", "));
  const record = sql.raw(columns.map(([, column]) => `"${column.name}" ${column.getSQLType()}`).join(", "));
  // Keyed by database column name, so the record definition above can read them back.
  const payload = rows.map((row) =>
    Object.fromEntries(
      columns.map(([key, column]) => [column.name, (row as Record<string, unknown>)[key] ?? null]),
    ),
  );
  await db.execute(
    sql`insert into ${sql.identifier(getTableName(table))} (${names})
        select ${names} from jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) as x(${record})
        ${options.suffix ?? sql``}`,
  );
}
