/**
 * Rooms' JSON text as UTF-8, kept from the moment a room is stored, within a budget shared by
 * every project of a simulator. Serialising each page anew was half the simulator's CPU for a
 * full sync, and on a small machine the client under test pays for the simulator's CPU: the
 * real upstream costs the client nothing. Past the budget items are serialised per page, as
 * before, so a simulator of millions of rooms does not hold their text twice over.
 */
export class ItemTexts {
  private used = 0;

  /** @param maxBytes UTF-8 bytes kept at most. @default 256 MiB */
  constructor(private readonly maxBytes = 256 * 1024 * 1024) {}

  /** The item's text, kept while the budget allows (undefined: serialise it when served). */
  keep(item: unknown): Buffer | undefined {
    if (this.used >= this.maxBytes) return undefined;
    const text = ItemTexts.serialise(item);
    this.used += text.length;
    return text;
  }

  /** Gives back what a replaced or deleted item's text took. */
  release(text: Buffer | undefined): void {
    if (text) this.used -= text.length;
  }

  /** The item as an element of a JSON array: JSON.stringify writes what it cannot represent as null. */
  static serialise(item: unknown): Buffer {
    return Buffer.from((JSON.stringify(item) as string | undefined) ?? "null");
  }
}
