import { describe, expect, it } from "vitest";

import { Semaphore } from "../../src/sync/semaphore.js";

/** A task that runs until `finish` is called, recording when it starts. */
function gate(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { task: () => (log.push(`start ${name}`), done.then(() => log.push(`end ${name}`))), finish };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("Semaphore", () => {
  it("runs at most `limit` tasks at once, the rest in the order they asked", async () => {
    const log: string[] = [];
    const semaphore = new Semaphore(2);
    const [a, b, c] = [gate(log, "a"), gate(log, "b"), gate(log, "c")];
    const running = [semaphore.run(a.task), semaphore.run(b.task), semaphore.run(c.task)];
    await settle();
    expect(log).toEqual(["start a", "start b"]);
    b.finish();
    await settle();
    expect(log).toEqual(["start a", "start b", "end b", "start c"]);
    a.finish();
    c.finish();
    await Promise.all(running);
  });

  it("holds every slot for an exclusive task, which waits for running ones and blocks later ones", async () => {
    const log: string[] = [];
    const semaphore = new Semaphore(3);
    const [a, x, b] = [gate(log, "a"), gate(log, "x"), gate(log, "b")];
    const running = [semaphore.run(a.task), semaphore.exclusive(x.task), semaphore.run(b.task)];
    await settle();
    // b would fit beside a, but x asked first and must not be starved.
    expect(log).toEqual(["start a"]);
    a.finish();
    await settle();
    expect(log).toEqual(["start a", "end a", "start x"]);
    x.finish();
    await settle();
    expect(log.slice(-2)).toEqual(["end x", "start b"]);
    b.finish();
    await Promise.all(running);
  });

  it("frees the slot of a task that throws", async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(semaphore.exclusive(() => Promise.resolve("ok"))).resolves.toBe("ok");
  });
});
