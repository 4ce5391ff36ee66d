/**
 * SQLSTATE classes that are about the data (22 data exception, 23 integrity, 54 program limit
 * such as an index row too large): one room can cause them, so its batch is retried room by
 * room. Anything else (a lost connection, a shutdown) fails every room alike and is rethrown.
 */
const DATA_ERROR_CLASSES = new Set(["22", "23", "54"]);

/**
 * The classes raised by a value of the item itself: 22 (one the column cannot represent: out of
 * range, invalid text, bad encoding) and 54 (one too large or too deep). See refusalsBlameRooms.
 */
const ITEM_VALUE_CLASSES = new Set(["22", "54"]);

/** The SQLSTATE of `error` or of the first error in its `cause` chain that has one. */
export function sqlState(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code.length === 5) return code;
    current = current.cause;
  }
  return undefined;
}

export function isDataError(error: unknown): boolean {
  return DATA_ERROR_CLASSES.has(sqlState(error)?.slice(0, 2) ?? "");
}

export interface RefusedRoom<T> {
  room: T;
  error: unknown;
}

/**
 * Writes each room on its own (`writeOne`), in order; those refused for their data are returned,
 * any other failure is thrown.
 */
export async function writeEach<T>(
  rooms: readonly T[],
  writeOne: (room: T) => Promise<void>,
): Promise<RefusedRoom<T>[]> {
  const refused: RefusedRoom<T>[] = [];
  for (const room of rooms) {
    try {
      await writeOne(room);
    } catch (error) {
      if (!isDataError(error)) throw error;
      refused.push({ room, error });
    }
  }
  return refused;
}

/**
 * Whether the rooms refused one by one (`refused`, of a batch of `batchSize`) are at fault, so
 * they are skipped and the run goes on, rather than the database, which fails the run.
 *
 * A room of the batch stored proves the database stores rooms: the refused ones are at fault.
 * When every room is refused, that proof is missing, and the refusals' SQLSTATE is the signal: a
 * lost connection, a lock or a shutdown is no data error and was thrown already (writeEach); a
 * data exception (22) or a program limit (54) is raised by a value of the item itself, since the
 * statement's other parameters are the project, the run and a time that node made and that every
 * batch before sent alike. An integrity violation (23) can be the table's instead (a constraint
 * or rows left behind that every room collides with), so a batch refused for it entirely stands
 * as the run's failure. Skipping on 23 would mark every room seen and lose it quietly; failing on
 * 22 failed every run of a project whose incremental batch was its few unstorable rooms.
 */
export function refusalsBlameRooms(refused: readonly RefusedRoom<unknown>[], batchSize: number): boolean {
  if (refused.length < batchSize) return true;
  return refused.every(({ error }) => ITEM_VALUE_CLASSES.has(sqlState(error)?.slice(0, 2) ?? ""));
}
