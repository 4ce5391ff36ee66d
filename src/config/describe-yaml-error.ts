/**
 * Why and where the yaml parser refused `source`, as ` (DUPLICATE_KEY at line 3)`, or "". Only
 * the error's code and the line computed from its offset: its message and `prettyErrors` quote
 * the source, and any value in an accounts file may be a secret.
 */
export function describeYamlError(error: unknown, source: string): string {
  if (!(error instanceof Error)) return "";
  const { code, pos } = error as Error & { code?: unknown; pos?: unknown };
  // Exceeding maxAliasCount or an alias before its anchor: a ReferenceError with no position.
  if (error instanceof ReferenceError) return " (an alias: too many, or one before its anchor)";
  if (typeof code !== "string") return "";
  const offset = Array.isArray(pos) && typeof pos[0] === "number" ? pos[0] : undefined;
  if (offset === undefined) return ` (${code})`;
  const line = source.slice(0, offset).split("\n").length;
  return ` (${code} at line ${line})`;
}
