/**
 * `text` as a number when it is written in decimal (`8`, `0.5`, `.5`), else undefined. Number()
 * alone also reads `0x10` as 16, `1e3` as 1000 and `0b11` as 3: a setting means what it says.
 */
export function parseDecimal(text: string): number | undefined {
  return /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(text) ? Number(text) : undefined;
}
