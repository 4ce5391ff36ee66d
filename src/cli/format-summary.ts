import type { RunSummary } from "../sync/run-summary.js";

/** A plain-text table: columns padded to their widest cell, numbers right-aligned. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  return cells
    .map((row, r) =>
      row
        .map((cell, i) => {
          const numeric = r > 0 && typeof rows[r - 1]?.[i] === "number";
          return numeric ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
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

/** What a dry run would change, one line per room (the first 50 of each run). */
export function formatPreview(summary: RunSummary): string {
  if (summary.preview.length === 0) return `${summary.projectId}: nothing would change.`;
  const lines = summary.preview.map((change) => {
    const fields =
      change.change === "updated" || change.change === "restored"
        ? ` (${change.changedFields.join(", ")})`
        : "";
    return `  ${change.change.padEnd(8)} ${change.roomId} ${JSON.stringify(change.roomName ?? "")}${fields}`;
  });
  return `${summary.projectId}: would change\n${lines.join("\n")}`;
}
