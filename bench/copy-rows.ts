/**
 * Streams rows into a table with `COPY ... FROM STDIN` (text format), column names and types
 * taken from the Drizzle table as `insertJsonRows` does: the cheapest way Postgres takes rows,
 * which is what the bench's COPY limit measures the engine against.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

import { getTableColumns, getTableName } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

/** Rows per chunk written to the stream: big enough to be cheap, small enough to stay flat. */
const CHUNK = 500;

/** COPY's text format: backslash, tab, newline and carriage return are escaped, null is `\N`. */
function escape(text: string): string {
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]!)
    : text;
}

/** An array literal with every element quoted, so commas, braces and spaces need no thought. */
function arrayLiteral(values: Array<string | number | null>): string {
  const element = (v: string | number | null) =>
    v === null ? "NULL" : `"${String(v).replace(/["\\]/g, "\\$&")}"`;
  return `{${values.map(element).join(",")}}`;
}

function field(value: unknown, sqlType: string): string {
  if (value === null || value === undefined) return "\\N";
  if (sqlType === "jsonb" || sqlType === "json") return escape(JSON.stringify(value));
  if (sqlType.endsWith("[]")) return escape(arrayLiteral(value as Array<string | number | null>));
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "boolean") return value ? "t" : "f";
  // Text or a number: JSON writes a number as Postgres reads it.
  return escape(typeof value === "string" ? value : JSON.stringify(value));
}

/**
 * Copies `rows` (keyed like the table's insert type; the first row's keys pick the columns). Rows
 * are pulled from the iterable as the stream drains, so a lazy one is never held whole.
 */
export async function copyRows<T extends PgTable>(
  client: pg.ClientBase,
  table: T,
  rows: Iterable<Partial<T["$inferInsert"]>>,
): Promise<number> {
  const iterator = rows[Symbol.iterator]();
  const head = iterator.next();
  if (head.done) return 0;
  const firstRow: object = head.value;
  const columns = Object.entries(getTableColumns(table)).filter(([key]) => key in firstRow);
  const names = columns.map(([, column]) => `"${column.name}"`).join(", ");
  const types = columns.map(([, column]) => column.getSQLType());
  const line = (row: object) => {
    const record = row as Record<string, unknown>;
    return `${columns.map(([key], i) => field(record[key], types[i]!)).join("\t")}\n`;
  };
  let count = 1;
  function* chunks(): Generator<string> {
    let text = line(firstRow);
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      text += line(next.value);
      count += 1;
      if (count % CHUNK === 0) {
        yield text;
        text = "";
      }
    }
    if (text) yield text;
  }
  const stream = client.query(copyFrom(`copy "${getTableName(table)}" (${names}) from stdin`));
  await pipeline(Readable.from(chunks()), stream);
  return count;
}
