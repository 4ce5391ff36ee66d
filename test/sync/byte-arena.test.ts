import { describe, expect, it } from "vitest";

import { ByteArena, spanBytes } from "../../src/sync/byte-arena.js";

describe("ByteArena", () => {
  it("keeps each value's bytes apart, in shared chunks, after the source is overwritten", () => {
    const arena = new ByteArena(64);
    const scratch = Buffer.from("aaaa");
    const first = arena.store(scratch);
    scratch.write("bbbb");
    const second = arena.store(scratch);
    expect(spanBytes(first).toString()).toBe("aaaa");
    expect(spanBytes(second).toString()).toBe("bbbb");
    expect(second.chunk).toBe(first.chunk);
  });
  it("starts a new chunk when one is full, leaving the spans in the old one intact", () => {
    const arena = new ByteArena(32);
    const spans = Array.from({ length: 10 }, (_, i) => arena.store(Buffer.from(`v${i}-56`)));
    expect(spans.map((span) => spanBytes(span).toString())).toEqual(spans.map((_, i) => `v${i}-56`));
    expect(new Set(spans.map((span) => span.chunk)).size).toBeGreaterThan(1);
  });
  it("gives a value above a quarter of a chunk a chunk of its own", () => {
    const arena = new ByteArena(64);
    const small = arena.store(Buffer.from("x"));
    const large = arena.store(Buffer.alloc(17, 7));
    expect(large.chunk).not.toBe(small.chunk);
    expect(large.chunk.length).toBe(17);
    expect(arena.store(Buffer.from("y")).chunk).toBe(small.chunk);
  });
});
