import { describe, expect, it } from "vitest";

import { KeyedLanes } from "../../src/sync/keyed-lanes.js";

/** A task that runs until released, recording when it starts. */
function gate(log: string[], name: string) {
  let release!: () => void;
  let fail!: (error: Error) => void;
  const finished = new Promise<void>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  return {
    task: () => {
      log.push(name);
      return finished;
    },
    release,
    fail,
  };
}

type Gate = ReturnType<typeof gate>;

/** One gate per name, all recording into `log`. */
const gates = (log: string[], ...names: string[]) => names.map((name) => gate(log, name));
const keys = (...ids: string[]) => new Set(ids);
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("KeyedLanes", () => {
  it("runs at most its limit at once, in order, and a task sharing a key after the one holding it", async () => {
    const lanes = new KeyedLanes(2);
    const log: string[] = [];
    const [a, b, c, d] = gates(log, "a", "b", "c", "d") as [Gate, Gate, Gate, Gate];
    const runs = [
      lanes.run(keys("1", "2"), a.task),
      lanes.run(keys("3"), b.task),
      lanes.run(keys("2", "4"), c.task),
      lanes.run(keys("5"), d.task),
    ];
    await tick();
    expect(log).toEqual(["a", "b"]);
    // b frees a lane; c still waits for a (key 2), so d, which shares nothing, takes it.
    b.release();
    await tick();
    expect(log).toEqual(["a", "b", "d"]);
    a.release();
    d.release();
    await tick();
    expect(log).toEqual(["a", "b", "d", "c"]);
    c.release();
    await Promise.all(runs);
  });

  it("starts nothing more once a task has failed, and is idle only once the running ones stop", async () => {
    const lanes = new KeyedLanes(2);
    const log: string[] = [];
    const [a, b, c] = gates(log, "a", "b", "c") as [Gate, Gate, Gate];
    const runs = [a, b, c].map((g, i) => lanes.run(keys(String(i)), g.task));
    for (const run of runs) run.catch(() => {});
    await tick();
    a.fail(new Error("lost the connection"));
    await expect(runs[0]).rejects.toThrow("lost the connection");
    await expect(runs[2]).rejects.toThrow("lost the connection");
    expect(lanes.failed?.error).toBeInstanceOf(Error);
    let idle = false;
    const stopped = lanes.idle().then(() => (idle = true));
    await tick();
    expect(idle).toBe(false);
    b.release();
    await stopped;
    expect(log).toEqual(["a", "b"]);
  });
});
