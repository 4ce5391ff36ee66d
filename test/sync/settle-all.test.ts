import { describe, expect, it } from "vitest";

import { settleEach } from "../../src/sync/settle-all.js";

/** A task per item that the test ends by hand, recording how many were started and running. */
function controlledTasks() {
  const started: number[] = [];
  const finish = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let running = 0;
  let mostAtOnce = 0;
  const task = (item: number) =>
    new Promise<void>((resolve, reject) => {
      started.push(item);
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      const end = () => (running -= 1);
      finish.set(item, {
        resolve: () => (end(), resolve()),
        reject: (error) => (end(), reject(error)),
      });
    });
  return { started, finish, task, mostAtOnce: () => mostAtOnce };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("settleEach", () => {
  it("starts a task only when one of its `limit` slots is free, in order", async () => {
    const { started, finish, task, mostAtOnce } = controlledTasks();
    const items = Array.from({ length: 10 }, (_, i) => i);
    const all = settleEach(items, 3, task);
    await tick();
    expect(started).toEqual([0, 1, 2]);
    finish.get(1)!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const item of items) {
      finish.get(item)!.resolve();
      await tick();
    }
    await all;
    expect(started).toEqual(items);
    expect(mostAtOnce()).toBe(3);
  });

  it("starts nothing more after a failure, waits for the running ones, then rejects with the first", async () => {
    const { started, finish, task } = controlledTasks();
    const all = settleEach([0, 1, 2, 3, 4, 5], 2, task);
    let settled = false;
    all.catch(() => {}).finally(() => (settled = true));
    await tick();
    finish.get(0)!.reject(new Error("first"));
    await tick();
    expect(started).toEqual([0, 1]);
    expect(settled).toBe(false);
    finish.get(1)!.reject(new Error("second"));
    await expect(all).rejects.toThrow("first");
    expect(started).toEqual([0, 1]);
  });

  it("ends at once for no items", async () => {
    await expect(settleEach([], 4, () => Promise.reject(new Error("never")))).resolves.toBeUndefined();
  });
});
