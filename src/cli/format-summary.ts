import stringWidth from "string-width";

import type { RunSummary } from "../sync/run-summary.js";

/**
 * A plain-text table: columns padded to their widest cell, numbers right-aligned. Widths are
 * measured in terminal columns, not UTF-16 units: a CJK character takes two, an emoji two, a
 * combining mark none, so room names in any script line up.
 */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => stringWidth(row[i] ?? ""))));
  return cells
    .map((row, r) =>
      row
        .map((cell, i) => {
          const numeric = r > 0 && typeof rows[r - 1]?.[i] === "number";
          const pad = " ".repeat(Math.max(0, widths[i]! - stringWidth(cell)));
          return numeric ? pad + cell : cell + pad;
        })
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

export function formatSummaries(summaries: RunSummary[]): string {
  return table(
    [
      "project",
      "mode",
      "status",
      "requests",
      "seen",
      "inserted",
      "updated",
      "unchanged",
      "deleted",
      "invalid",
      "duration",
    ],
    summaries.map((s) => [
      s.projectId,
      s.dryRun ? `${s.mode} (dry run)` : s.mode,
      s.status,
      s.counts.requests,
      s.counts.roomsSeen,
      s.counts.roomsInserted,
      s.counts.roomsUpdated,
      s.counts.roomsUnchanged,
      s.counts.roomsDeleted,
      s.counts.itemsInvalid,
      formatDuration(s.durationMs),
    ]),
  );
}

/** Changes a run made or would make: rooms inserted, updated (restored ones included), deleted. */
export function changeCount(summary: RunSummary): number {
  const { roomsInserted, roomsUpdated, roomsDeleted } = summary.counts;
  return roomsInserted + roomsUpdated + roomsDeleted;
}

/**
 * What a dry run would change, one line per room for the first few (the run keeps 50 of each
 * kind), then how many more it did not list.
 */
export function formatPreview(summary: RunSummary): string {
  if (summary.preview.length === 0 && changeCount(summary) === 0) {
    return `${summary.projectId}: nothing would change.`;
  }
  const lines = summary.preview.map((change) => {
    const fields =
      change.change === "updated" || change.change === "restored"
        ? ` (${change.changedFields.join(", ")})`
        : "";
    return `  ${change.change.padEnd(8)} ${change.roomId} ${JSON.stringify(change.roomName ?? "")}${fields}`;
  });
  const more = changeCount(summary) - summary.preview.length;
  if (more > 0) lines.push(`  … and ${new Intl.NumberFormat("en-US").format(more)} more`);
  return `${summary.projectId}: would change\n${lines.join("\n")}`;
}
