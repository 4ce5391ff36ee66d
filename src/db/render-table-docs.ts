import type { ObjectDoc } from "./table-docs.js";

export const SQL_BEGIN =
  "-- BEGIN generated comments: src/db/table-docs.ts, rendered by `npm run docs:tables`";
export const SQL_END = "-- END generated comments";
export const README_BEGIN =
  "<!-- BEGIN generated table docs: src/db/table-docs.ts, `npm run docs:tables` -->";
export const README_END = "<!-- END generated table docs -->";

const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;
const quoted = (name: string): string => `"${name}"`;

/** `COMMENT ON` for every object and column of `docs`, one statement per line. */
export function renderCommentSql(docs: readonly ObjectDoc[]): string {
  const lines: string[] = [];
  for (const doc of docs) {
    const target =
      doc.kind === "function"
        ? `FUNCTION ${doc.name.replace(/^([a-z_]+)/, (name) => quoted(name))}`
        : `${doc.kind.toUpperCase()} ${quoted(doc.name)}`;
    lines.push(`COMMENT ON ${target} IS ${literal(doc.description)};`);
    for (const [column, meaning] of doc.columns ?? []) {
      lines.push(`COMMENT ON COLUMN ${quoted(doc.name)}.${quoted(column)} IS ${literal(meaning)};`);
    }
  }
  // No breakpoint after the last: the marker comment that follows belongs to that statement.
  return lines.join("--> statement-breakpoint\n");
}

/** The README's description of the same objects: a heading per object, a table of its columns. */
export function renderReadme(docs: readonly ObjectDoc[]): string {
  const parts: string[] = [];
  for (const doc of docs) {
    parts.push(`#### ${doc.kind} \`${doc.name}\`\n\n${doc.description}`);
    if (doc.columns) {
      const rows = doc.columns.map(([column, meaning]) => `| \`${column}\` | ${meaning} |`);
      parts.push(["| column | meaning |", "| --- | --- |", ...rows].join("\n"));
    }
  }
  return parts.join("\n\n");
}

/** `text` with what lies between the `begin` and `end` marker lines replaced by `body`. */
export function replaceBetween(text: string, begin: string, end: string, body: string): string {
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`Markers ${begin} ... ${end} not found`);
  return `${text.slice(0, start + begin.length)}\n${body}\n${text.slice(stop)}`;
}

/** What lies between the marker lines, as `replaceBetween` wrote it. */
export function readBetween(text: string, begin: string, end: string): string {
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`Markers ${begin} ... ${end} not found`);
  return text.slice(start + begin.length + 1, stop - 1);
}
