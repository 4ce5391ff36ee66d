import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { AdminServer } from "../../src/http/admin-server.js";
import { basic, PROJECTS, startAdmin, startServices, TOKEN, type AdminServices } from "./admin-fixture.js";

let services: AdminServices;
let admin: AdminServer;

beforeAll(async () => {
  services = await startServices();
  admin = await startAdmin(services);
});

afterEach(async () => {
  await services.queue.obliterate({ force: true });
});

afterAll(async () => {
  await admin?.close();
  await services?.close();
});

interface Job {
  projectId: string;
  mode: string;
  jobId: string;
  deduplicated: boolean;
}

/** `authorization: null` sends none. */
function resync(body: unknown, authorization: string | null = `Bearer ${TOKEN}`, url = admin.url) {
  return fetch(`${url}/resync`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(authorization ? { Authorization: authorization } : {}),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function queuedJobs() {
  const jobs = await services.queue.getJobs(["waiting", "prioritized", "delayed", "active"]);
  return jobs
    .map((job) => ({ id: job.id, data: job.data }))
    .sort((a, b) => a.data.projectId.localeCompare(b.data.projectId));
}

describe("POST /resync authentication", () => {
  it("answers 401 with a Bearer challenge without a token, and enqueues nothing", async () => {
    const response = await resync({ projects: ["alpha"] }, null);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="metastudio-sync"');
    expect(await queuedJobs()).toEqual([]);
  });

  it("answers 401 to a wrong token, one of another length, and an empty one", async () => {
    for (const token of [`${TOKEN.slice(0, -1)}x`, "short", `${TOKEN}${TOKEN}`, ""]) {
      expect((await resync({ projects: ["alpha"] }, `Bearer ${token}`)).status, token).toBe(401);
    }
    expect(await queuedJobs()).toEqual([]);
  });

  it("guards the path's variants too", async () => {
    for (const path of ["/resync/", "/resync/x"]) {
      const response = await fetch(`${admin.url}${path}`, { method: "POST", body: '{"all":true}' });
      expect(response.status, path).toBe(401);
    }
    expect(await queuedJobs()).toEqual([]);
  });

  it("refuses the token as Basic credentials, which a browser would replay for any site", async () => {
    expect((await resync({ projects: ["alpha"] }, basic(TOKEN))).status).toBe(401);
    expect(await queuedJobs()).toEqual([]);
  });

  it("accepts a token with inner spaces, whole", async () => {
    const spaced = await startAdmin(services, { token: "two words token" });
    try {
      expect((await resync({ projects: ["alpha"] }, "Bearer two words", spaced.url)).status).toBe(401);
      expect((await resync({ projects: ["alpha"] }, "Bearer two words token", spaced.url)).status).toBe(202);
    } finally {
      await spaced.close();
    }
  });

  it("answers 403 naming ADMIN_TOKEN when the server has no token", async () => {
    const open = await startAdmin(services, { token: undefined });
    try {
      const response = await resync({ projects: ["alpha"] }, `Bearer anything`, open.url);
      expect(response.status).toBe(403);
      expect(await response.text()).toMatch(/ADMIN_TOKEN/);
      expect(await queuedJobs()).toEqual([]);
    } finally {
      await open.close();
    }
  });

  it("never writes the token or the Authorization header to the log", async () => {
    await resync({ projects: ["alpha"] });
    await resync({ projects: ["alpha"] }, basic(TOKEN));
    await fetch(`${admin.url}/admin/queues`, { headers: { Authorization: basic(TOKEN) } });
    const log = services.logText();
    expect(log).toMatch(/admin request/);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(Buffer.from(`admin:${TOKEN}`).toString("base64"));
  });
});

describe("POST /resync", () => {
  it("enqueues an incremental manual job for a named project and answers 202", async () => {
    const response = await resync({ projects: ["alpha"] });
    expect(response.status).toBe(202);
    const { jobs } = (await response.json()) as { jobs: Job[] };
    expect(jobs).toEqual([
      { projectId: "alpha", mode: "incremental", jobId: expect.any(String), deduplicated: false },
    ]);
    expect(await queuedJobs()).toEqual([
      { id: jobs[0]!.jobId, data: { projectId: "alpha", mode: "incremental", trigger: "manual" } },
    ]);
  });

  it("deduplicates a repeated request against the pending job", async () => {
    const first = (await (await resync({ projects: ["beta"], full: true })).json()) as { jobs: Job[] };
    const second = await resync({ projects: ["beta"], full: true });
    expect(second.status).toBe(202);
    const { jobs } = (await second.json()) as { jobs: Job[] };
    expect(jobs).toEqual([
      { projectId: "beta", mode: "full", jobId: first.jobs[0]!.jobId, deduplicated: true },
    ]);
    expect(await queuedJobs()).toHaveLength(1);
  });

  it("enqueues every configured project with all, full runs when asked", async () => {
    const response = await resync({ all: true, full: true, allowMassDelete: true });
    expect(response.status).toBe(202);
    const { jobs } = (await response.json()) as { jobs: Job[] };
    expect(jobs.map((job) => [job.projectId, job.mode, job.deduplicated])).toEqual(
      PROJECTS.map((id) => [id, "full", false]),
    );
    expect((await queuedJobs()).map((job) => job.data)).toEqual(
      PROJECTS.map((projectId) => ({ projectId, mode: "full", trigger: "manual", allowMassDelete: true })),
    );
  });

  it("answers 400 naming an unknown project, and enqueues none of the request", async () => {
    const response = await resync({ projects: ["alpha", "nope"] });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; unknown: string[] };
    expect(body.error).toMatch(/nope/);
    expect(body.unknown).toEqual(["nope"]);
    expect(await queuedJobs()).toEqual([]);
  });

  it("answers 405 naming POST to another method, and 413 in JSON to a body over 64 KiB", async () => {
    const get = await fetch(`${admin.url}/resync`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(await get.json()).toEqual({ error: "Use POST /resync." });
    const huge = await resync({ projects: Array.from({ length: 10_000 }, (_, i) => `project-${i}`) });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: string }).error).toMatch(/over 64 KiB/);
    expect(await queuedJobs()).toEqual([]);
  });

  it("answers 400 to bodies that do not say what to sync", async () => {
    const cases: Array<[unknown, RegExp]> = [
      ["{not json", /JSON/],
      [{}, /projects.*all/],
      [{ projects: [] }, /projects.*all/],
      [{ projects: ["alpha"], all: true }, /not both/],
      [{ projects: "alpha" }, /projects/],
      [{ all: true, fast: true }, /fast|Unrecognized/i],
      [{ projects: ["alpha"], allowMassDelete: true }, /full/],
    ];
    for (const [body, message] of cases) {
      const response = await resync(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
    expect(await queuedJobs()).toEqual([]);
  });

  it("answers 503 with each project's outcome when Redis does not take the job", async () => {
    const failing = await startAdmin(services, {
      enqueue: (_queue, job) =>
        job.projectId === "beta" ? Promise.reject(new Error("Connection is closed.")) : new Promise(() => {}),
      // Also shows a Redis that never answers cannot hold the request forever.
      enqueueTimeoutMs: 100,
    });
    try {
      const response = await resync({ projects: ["alpha", "beta"] }, `Bearer ${TOKEN}`, failing.url);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        jobs: [
          { projectId: "alpha", mode: "incremental", error: "enqueueing timed out after 100 ms" },
          { projectId: "beta", mode: "incremental", error: "Connection is closed." },
        ],
      });
    } finally {
      await failing.close();
    }
  });
});
