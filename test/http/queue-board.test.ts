import { tmpdir } from "node:os";

import { describe, expect, it } from "vitest";

import { SYNC_QUEUE_NAME } from "../../src/queue/sync-queue.js";
import { basic, startAdmin, useAdminServer, TOKEN } from "./admin-fixture.js";

const shared = useAdminServer();

const board = (path = "", init: RequestInit = {}) => fetch(`${shared.admin.url}/admin/queues${path}`, init);

describe("/admin/queues", () => {
  it("answers 401 with a Basic challenge without credentials, so a browser prompts", async () => {
    for (const path of ["", "/", "/api/queues", "/static/favicon-32x32.png"]) {
      const response = await board(path);
      expect(response.status, path).toBe(401);
      expect(response.headers.get("www-authenticate"), path).toBe('Basic realm="metastudio-sync"');
    }
  });

  it("answers 401 to Basic credentials with a wrong password, whatever the user", async () => {
    expect((await board("", { headers: { Authorization: basic("wrong") } })).status).toBe(401);
    expect((await board("", { headers: { Authorization: basic(`${TOKEN}x`, TOKEN) } })).status).toBe(401);
    expect((await board("", { headers: { Authorization: "Basic !!!" } })).status).toBe(401);
  });

  it("serves the board's page to Basic credentials with the token as password, any user", async () => {
    for (const user of ["admin", "", "someone"]) {
      const response = await board("", { headers: { Authorization: basic(TOKEN, user) } });
      expect(response.status, user).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/text\/html/);
      expect(await response.text()).toMatch(/<div id="root">/);
    }
  });

  it("serves the static assets the page references", async () => {
    const html = await (await board("", { headers: { Authorization: basic(TOKEN) } })).text();
    // The page names its assets relative to <base href>, as a browser resolves them.
    const base = new URL(/<base href="([^"]+)"/.exec(html)![1]!, shared.admin.url);
    expect(base.pathname).toBe("/admin/queues/");
    const assets = [...html.matchAll(/(?:src|href)="(static\/[^"]+)"/g)].map(
      (m) => new URL(m[1]!, base).pathname,
    );
    const script = assets.find((asset) => asset.endsWith(".js"));
    expect(script).toBeDefined();
    for (const asset of assets) {
      const response = await fetch(`${shared.admin.url}${asset}`, {
        headers: { Authorization: basic(TOKEN) },
      });
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
    const js = await fetch(`${shared.admin.url}${script}`, { headers: { Authorization: basic(TOKEN) } });
    expect(js.headers.get("content-type")).toMatch(/javascript/);
  });

  it("serves its assets whatever the working directory the worker was started in", async () => {
    const cwd = process.cwd();
    process.chdir(tmpdir());
    const elsewhere = await startAdmin(shared.services);
    try {
      const response = await fetch(`${elsewhere.url}/admin/queues/static/favicon-32x32.png`, {
        headers: { Authorization: basic(TOKEN) },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("image/png");
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    } finally {
      process.chdir(cwd);
      await elsewhere.close();
    }
  });

  it("lists the sync queue in the board's API, with a bearer token too", async () => {
    await shared.services.queue.add("x", { projectId: "alpha", mode: "full", trigger: "manual" });
    const response = await board("/api/queues", { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      queues: Array<{ name: string; counts: Record<string, number> }>;
    };
    expect(body.queues.map((queue) => queue.name)).toEqual([SYNC_QUEUE_NAME]);
    expect(body.queues[0]!.counts.waiting).toBe(1);
  });

  it("refuses a change requested from another site's page, even with credentials", async () => {
    const response = await board(`/api/queues/${SYNC_QUEUE_NAME}/pause`, {
      method: "PUT",
      headers: {
        Authorization: basic(TOKEN),
        "Sec-Fetch-Site": "cross-site",
        Origin: "https://evil.example",
      },
    });
    expect(response.status).toBe(403);
    expect(await shared.services.queue.isPaused()).toBe(false);
  });

  it("refuses a cross-site JSON change too, not only form content types", async () => {
    const response = await board(`/api/queues/${SYNC_QUEUE_NAME}/pause`, {
      method: "PUT",
      headers: {
        Authorization: basic(TOKEN),
        Origin: "https://evil.example",
        "Content-Type": "application/json",
      },
      body: "{}",
    });
    expect(response.status).toBe(403);
    expect(await shared.services.queue.isPaused()).toBe(false);
  });

  it("refuses a change whose Origin is no origin at all, as from another site", async () => {
    const response = await board(`/api/queues/${SYNC_QUEUE_NAME}/pause`, {
      method: "PUT",
      headers: { Authorization: basic(TOKEN), Origin: "garbage" },
    });
    expect(response.status).toBe(403);
    expect(await shared.services.queue.isPaused()).toBe(false);
  });

  it("cannot be framed by another page", async () => {
    const response = await board("/", { headers: { Authorization: basic(TOKEN) } });
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("accepts the same change from its own page", async () => {
    const response = await board(`/api/queues/${SYNC_QUEUE_NAME}/pause`, {
      method: "PUT",
      headers: { Authorization: basic(TOKEN), "Sec-Fetch-Site": "same-origin" },
    });
    expect(response.status).toBeLessThan(300);
    expect(await shared.services.queue.isPaused()).toBe(true);
    await shared.services.queue.resume();
  });

  it("answers 403 naming ADMIN_TOKEN when the server has no token", async () => {
    const open = await startAdmin(shared.services, { token: undefined });
    try {
      const response = await fetch(`${open.url}/admin/queues`, { headers: { Authorization: basic("") } });
      expect(response.status).toBe(403);
      expect(await response.text()).toMatch(/ADMIN_TOKEN/);
    } finally {
      await open.close();
    }
  });
});
