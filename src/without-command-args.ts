/**
 * ioredis puts the command a failed reply answered on its errors, `command: { name, args }`, and
 * AUTH's and HELLO's args are REDIS_URL's password (MIGRATE's and CONFIG SET's can carry one too).
 * Everything that writes an error for people to read (the logger, the CLI's `--verbose`) passes it
 * through here first. The args are dropped for every command, not only those: the name says which
 * command failed, and no args were ever needed to act on an error.
 */

/** Deep enough for any cause chain; what lies deeper is cut (see `copy`). */
const MAX_DEPTH = 10;

/**
 * `value` with every `command` record in it reduced to `{ name }`: in an error, its cause chain,
 * the errors it holds (`errors`, `previousErrors`, ...) and the plain objects and arrays around
 * them. Errors are copied with their prototype, stack and enumerability, so they serialize and
 * print as the originals did. Returns `value` itself, not a copy, when it holds no such record.
 */
export function withoutCommandArgs<T>(value: T): T {
  return holdsArgs(value, 0, new Set()) ? (copy(value, 0, new Map()) as T) : value;
}

/** Errors, arrays and plain objects: what may hold an error. Other instances are left alone. */
function isContainer(value: unknown): value is object {
  if (typeof value !== "object" || value === null) return false;
  if (value instanceof Error || Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function isCommandRecord(value: unknown): boolean {
  return typeof value === "object" && value !== null && "args" in value;
}

/** Own data properties, with an error's `stack` read through whatever accessor V8 gives it. */
function ownValues(value: object): Array<[PropertyKey, PropertyDescriptor & { value: unknown }]> {
  const entries: Array<[PropertyKey, PropertyDescriptor & { value: unknown }]> = [];
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined) continue;
    if ("value" in descriptor) entries.push([key, descriptor as PropertyDescriptor & { value: unknown }]);
    else if (key === "stack") {
      const stack = (value as { stack?: unknown }).stack;
      entries.push([key, { value: stack, writable: true, enumerable: false, configurable: true }]);
    }
    // Other getters are not called: reading them may run code; they are not copied either.
  }
  return entries;
}

function holdsArgs(value: unknown, depth: number, seen: Set<object>): boolean {
  if (!isContainer(value) || seen.has(value)) return false;
  // Past the depth we cannot tell, so it counts as holding args and `copy` cuts it.
  if (depth > MAX_DEPTH) return true;
  seen.add(value);
  return ownValues(value).some(([key, { value: next }]) =>
    key === "command" ? isCommandRecord(next) : holdsArgs(next, depth + 1, seen),
  );
}

function copy(value: unknown, depth: number, copies: Map<object, unknown>): unknown {
  if (!isContainer(value)) return value;
  if (depth > MAX_DEPTH) return "[too deep]";
  const known = copies.get(value);
  if (known !== undefined) return known;
  const target: object = Array.isArray(value)
    ? []
    : (Object.create(Object.getPrototypeOf(value) as object | null) as object);
  // Registered before its properties: a cycle back to `value` points to the copy.
  copies.set(value, target);
  for (const [key, descriptor] of ownValues(value)) {
    const next =
      key === "command" && isCommandRecord(descriptor.value)
        ? { name: (descriptor.value as { name?: unknown }).name }
        : copy(descriptor.value, depth + 1, copies);
    Object.defineProperty(target, key, { ...descriptor, value: next });
  }
  return target;
}
