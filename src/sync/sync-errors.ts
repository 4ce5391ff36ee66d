/**
 * Errors where what happens next differs from an ordinary failure. Anything else is a plain
 * Error with a cause, and retrying it is the caller's choice.
 */

/** Another run of the same project holds the lock: this one did nothing. */
export class RunInProgressError extends Error {
  override readonly name = "RunInProgressError";
  constructor(readonly projectId: string) {
    super(`A sync of project ${projectId} is already running; this one did nothing.`);
  }
}

/**
 * A full run would have marked too many rooms deleted; retrying the same way would refuse again.
 * The run's reads are judged implausible: no later run resumes it (see isResumable).
 */
export class MassDeleteRefusedError extends Error {
  override readonly name = "MassDeleteRefusedError";
}

/**
 * How a MassDeleteRefusedError's message begins: the run's stored error, which is how a refused
 * run is told from another failed one when the next full run looks for one to resume.
 */
export const MASS_DELETE_REFUSAL = "Refusing to mark";

/** The data contradicted what the run assumed about the time filter; the run re-plans. */
export class FilterSemanticsChanged extends Error {
  override readonly name = "FilterSemanticsChanged";
  constructor(readonly field: "create_time" | "ignored") {
    super(`start_time/end_time turned out to filter on ${field}`);
  }
}

/**
 * The connection holding the project lock closed mid-run, so Postgres released the lock and
 * another run may have started. This one stops before anything that needs the project to itself
 * (judging deletions, moving the watermark); what it wrote is kept, and the next full run resumes.
 */
export class LockLostError extends Error {
  override readonly name = "LockLostError";
  constructor(readonly projectId: string) {
    super(
      `Lost the lock of project ${projectId}: the database connection holding it closed (did Postgres ` +
        `restart?). Another run may hold the project now, so this one stopped before judging deletions.`,
    );
  }
}

/**
 * The open window at the end of a run kept gaining rooms faster than it could be paged (edits
 * stamped within the last second or two outnumber a page). What it returned is mirrored, but it
 * is no proof of completeness: the run judges no deletions and keeps its watermark settled.
 */
export class OpenWindowUnsettled extends Error {
  override readonly name = "OpenWindowUnsettled";
  constructor(
    readonly window: { start: number | null; end: number | null },
    readonly missing: number,
  ) {
    super(`The newest rooms kept changing while they were read (${missing} unconfirmed)`);
  }
}
