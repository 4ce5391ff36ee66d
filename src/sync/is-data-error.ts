/**
 * SQLSTATE classes that are about the data (22 data exception, 23 integrity, 54 program limit
 * such as an index row too large): one room can cause them, so its batch is retried room by
 * room. Anything else (a lost connection, a shutdown) fails every room alike and is rethrown.
 */
const DATA_ERROR_CLASSES = new Set(["22", "23", "54"]);

export function isDataError(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code.length === 5) return DATA_ERROR_CLASSES.has(code.slice(0, 2));
    current = current.cause;
  }
  return false;
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
