import type { RunStatus } from "../vocabulary.js";
import { MASS_DELETE_REFUSAL } from "./sync-errors.js";

/**
 * Whether a project's latest full run is one the next full run resumes: a failed one, unless it
 * failed by refusing a mass delete. A refusal judged its reads implausible (an upstream fault that
 * answered every window empty reads as complete and consistent), so the run re-run after it, often
 * with --allow-mass-delete as the refusal advises, must read everything again: taking over those
 * windows would have it mark every room they missed deleted after reading next to nothing.
 */
export function isResumable(run: { status: RunStatus; error: string | null }): boolean {
  return run.status === "failed" && !(run.error ?? "").startsWith(MASS_DELETE_REFUSAL);
}

/** A failed full run a full run resumes. */
export interface ResumableRun {
  id: string;
  /**
   * When the earliest run of its chain began: it, or the run it resumed, and so on. Every window
   * the chain completed was read after this, so an edit since then may have moved a room into
   * one of them after it was read: the resuming run's closing read must start this early.
   */
  chainStartedAt: Date;
}
