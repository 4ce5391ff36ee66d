import { clippedError, describeError } from "../describe-error.js";
import { countSeen, type ClosedRun } from "./close-run.js";
import { assertLocked, type RunContext } from "./run-context.js";
import { summarizeRun, type RunSummary } from "./run-summary.js";
import { seenResolution } from "./seen-resolution.js";

/**
 * The commit phase of a run that read everything: `last_seen_at`, the state the next run starts
 * from (the watermark moves to where the closing read began), and the run's row.
 */
export async function commitRun(ctx: RunContext, judged: ClosedRun): Promise<RunSummary> {
  const finishedAt = ctx.now();
  const summary = summarize(ctx, {
    status: "succeeded",
    roomsSeen: judged.seen ?? (await countSeen(ctx)),
    deleted: judged.deleted,
    preview: [...ctx.writer.preview, ...judged.preview.slice(0, 50)],
    error: null,
  });
  assertLocked(ctx);
  await ctx.ledger.succeed({
    counts: summary.counts,
    finishedAt,
    seenResolutionSeconds: seenResolution(
      { unstoredAtStart: ctx.unstoredAtStart, startedAt: ctx.startedAt, finishedAt },
      ctx.deps.settings.seenResolutionSeconds ?? 86_400,
    ),
    state: {
      watermark: ctx.closedFrom ?? ctx.plan.settledUntil,
      filterField: ctx.filterField,
      lastSuccessAt: finishedAt,
      ...(ctx.job.mode === "full" ? { lastFullSuccessAt: finishedAt } : {}),
    },
  });
  ctx.log.info({ ...summary.counts, duration_ms: Math.round(summary.durationMs) }, "sync run succeeded");
  return summary;
}

/**
 * The fail phase: what was committed stays, and the run's row says so, with the rooms it did
 * commit and why it stopped ("interrupted by SIGINT" when the caller's signal stopped it). Best
 * effort: the database may be what failed; the row then stays 'running' until the next run of the
 * project, or a worker's housekeeping, closes it as interrupted.
 */
export async function failRun(ctx: RunContext, error: unknown): Promise<void> {
  const message = failureMessage(ctx, error);
  ctx.log.error({ err: clippedError(error), requests: ctx.progress.requests }, "sync run failed");
  await ctx.writer.flush().catch(() => {});
  await ctx.ledger.flushRequests().catch(() => {});
  const roomsSeen = await ctx.ledger.countSeen().catch(() => 0);
  const { counts } = summarize(ctx, { status: "failed", roomsSeen, deleted: 0, preview: [], error: message });
  await ctx.ledger
    .fail({ counts, finishedAt: ctx.now(), error: message })
    .catch((cause: unknown) => ctx.log.warn({ err: cause }, "could not record the run's failure"));
}

/** Why the run stopped, in words: the caller's abort reason when it was stopped from outside. */
export function failureMessage(ctx: Pick<RunContext, "deps">, error: unknown): string {
  const signal = ctx.deps.signal;
  if (signal?.aborted) return interruptedMessage(signal.reason);
  // Clipped, the database's own reason, never a query's parameters.
  return describeError(error);
}

export function interruptedMessage(reason: unknown): string {
  if (typeof reason === "string" && reason)
    return reason.startsWith("interrupted") ? reason : `interrupted by ${reason}`;
  if (reason instanceof Error && reason.name !== "AbortError" && reason.message) {
    return reason.message.startsWith("interrupted") ? reason.message : `interrupted: ${reason.message}`;
  }
  return "interrupted: the run was stopped before it finished";
}

function summarize(
  ctx: RunContext,
  outcome: Pick<RunSummary, "status" | "preview" | "error"> & { roomsSeen: number; deleted: number },
): RunSummary {
  return summarizeRun({
    runId: ctx.runId,
    job: ctx.job,
    dryRun: ctx.ledger.dryRun,
    resumedFrom: ctx.resumedFrom,
    requests: ctx.progress.requests,
    invalidItems: ctx.invalidItems,
    totals: ctx.writer.totals,
    durationMs: performance.now() - ctx.startedMs,
    fetchMs: ctx.fetchMs,
    validateMs: ctx.validateMs,
    ...outcome,
  });
}
