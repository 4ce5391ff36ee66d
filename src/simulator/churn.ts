import { createPrng } from "./prng.js";

export type ChurnKind = "create" | "update" | "delete";

/** A steady stream of changes made upstream while clients page through it. */
export interface Churn {
  /**
   * Changes per list request of the project, made before its page is computed. Fractions
   * accumulate: 0.5 is one change every other request, 2.5 alternates two and three.
   * @default 0
   */
  perRequest: number;
  /**
   * Changes per second of wall time, made when the project's next list request arrives (so a
   * request always sees every change due by then). Counted from the first request after the
   * churn is set.
   * @default 0
   */
  perSecond: number;
  /** Relative weights of creations, edits and deletions. @default { create: 0, update: 1, delete: 0 } */
  mix: Record<ChurnKind, number>;
}

export const NO_CHURN: Churn = { perRequest: 0, perSecond: 0, mix: { create: 0, update: 1, delete: 0 } };

/** A bound on changes made at once, so a long pause under a per-second rate cannot stall a request. */
export const MAX_CHANGES_AT_ONCE = 10_000;

interface Credit {
  owed: number;
  lastMs: number | undefined;
}

/**
 * How many changes of which kind are due, per project. Draws come from a PRNG of their own, so
 * the same seed and the same requests give the same changes whatever faults are drawn meanwhile.
 */
export class ChurnSchedule {
  private readonly credit = new Map<string, Credit>();
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = createPrng(seed ^ 0xc4a2);
  }

  /** Forgets elapsed time, so a rate set now does not pay for the time before it. */
  reset(): void {
    this.credit.clear();
  }

  /** The kinds of the changes due for one list request of `projectId` at `nowMs`. */
  due(projectId: string, churn: Churn, nowMs: number): ChurnKind[] {
    const credit = this.credit.get(projectId) ?? { owed: 0, lastMs: undefined };
    const elapsed = credit.lastMs === undefined ? 0 : Math.max(0, nowMs - credit.lastMs);
    credit.owed += churn.perRequest + (churn.perSecond * elapsed) / 1000;
    credit.lastMs = nowMs;
    const count = Math.min(MAX_CHANGES_AT_ONCE, Math.floor(credit.owed));
    credit.owed = Math.min(credit.owed - count, MAX_CHANGES_AT_ONCE);
    this.credit.set(projectId, credit);
    return Array.from({ length: count }, () => this.pickKind(churn.mix));
  }

  /** A uniform draw in [0, 1) from the churn's own sequence (which room to change). */
  draw(): number {
    return this.random();
  }

  private pickKind(mix: Churn["mix"]): ChurnKind {
    const total = mix.create + mix.update + mix.delete;
    if (total <= 0) return "update";
    const r = this.random() * total;
    if (r < mix.create) return "create";
    return r < mix.create + mix.update ? "update" : "delete";
  }
}

/** Validates a churn given by a caller: rates and weights finite and non-negative. */
export function checkChurn(churn: Churn): Churn {
  const values = [churn.perRequest, churn.perSecond, churn.mix.create, churn.mix.update, churn.mix.delete];
  if (values.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new Error(`churn rates and weights must be finite and non-negative: ${JSON.stringify(churn)}`);
  }
  return churn;
}
