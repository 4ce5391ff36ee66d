import type { Queue } from "bullmq";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import * as z from "zod";

import type { RunMode } from "../db/schema.js";
import type { Logger } from "../logger.js";
import { enqueueSync } from "../queue/enqueue-sync.js";
import type { EnqueuedSync, SyncJobData } from "../queue/sync-queue.js";
import { withTimeout } from "./with-timeout.js";

export interface ResyncRouteOptions {
  queue: Queue<SyncJobData>;
  /** The configured projects: the only ones a request may name, and what `all` means. */
  projectIds: readonly string[];
  logger: Logger;
  /** @default enqueueSync */
  enqueue?: typeof enqueueSync;
  /** How long enqueueing waits for Redis before answering 503. @default 10000 */
  enqueueTimeoutMs?: number;
}

const ResyncBody = z
  .object({
    projects: z.array(z.string()).optional(),
    all: z.boolean().optional(),
    full: z.boolean().optional(),
    allowMassDelete: z.boolean().optional(),
  })
  .strict();

type ResyncResult = EnqueuedSync | { projectId: string; mode: RunMode; error: string };

/**
 * `POST /resync` with `{ "projects"?: string[], "all"?: boolean, "full"?: boolean,
 * "allowMassDelete"?: boolean }`: one manual job per project, deduplicated against jobs already
 * pending. Answers 202 with each project's job, or 503 when Redis did not take them all.
 * Mounted behind the token; this module only validates and enqueues.
 */
export function resyncRoute(options: ResyncRouteOptions): Hono {
  const enqueue = options.enqueue ?? enqueueSync;
  const timeoutMs = options.enqueueTimeoutMs ?? 10_000;
  const configured = new Set(options.projectIds);
  const app = new Hono();

  // The API's answers are JSON, its refusals too: hono's default 413 is plain text.
  const limit = bodyLimit({
    maxSize: 64 * 1024,
    onError: (c) => c.json({ error: "The body is over 64 KiB; name the projects, or give all." }, 413),
  });
  app.post("/", limit, async (c) => {
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      return c.json({ error: 'The body must be JSON, e.g. {"projects":["id"]} or {"all":true}.' }, 400);
    }
    const parsed = ResyncBody.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return c.json(
        { error: `Invalid body at ${issue?.path.join(".") || "(root)"}: ${issue?.message}` },
        400,
      );
    }
    const body = parsed.data;
    const named = [...new Set(body.projects ?? [])];
    if (body.all && named.length > 0) {
      return c.json({ error: 'Give "projects" or "all": true, not both.' }, 400);
    }
    if (!body.all && named.length === 0) {
      return c.json({ error: 'Name the projects ("projects": [...]) or ask for "all": true.' }, 400);
    }
    const unknown = named.filter((id) => !configured.has(id));
    if (unknown.length > 0) {
      return c.json(
        { error: `Not a configured project (METASTUDIO_PROJECT_IDS): ${unknown.join(", ")}`, unknown },
        400,
      );
    }
    if (body.allowMassDelete && !body.full) {
      return c.json({ error: '"allowMassDelete" applies to full runs only; add "full": true.' }, 400);
    }

    const mode: RunMode = body.full ? "full" : "incremental";
    const projects = body.all ? [...configured] : named;
    const results = await Promise.all(
      projects.map(async (projectId): Promise<ResyncResult> => {
        try {
          const job = { projectId, mode, trigger: "manual" as const, allowMassDelete: body.allowMassDelete };
          return await withTimeout(enqueue(options.queue, job), timeoutMs, "enqueueing");
        } catch (error) {
          options.logger.warn({ err: error, project_id: projectId, mode }, "could not enqueue a resync");
          return { projectId, mode, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const failed = results.some((result) => "error" in result);
    options.logger.info({ mode, jobs: results }, "resync requested over HTTP");
    return c.json({ jobs: results }, failed ? 503 : 202);
  });
  // Any other method on the route is a wrong method, not a missing route.
  app.all("/", (c) => c.json({ error: "Use POST /resync." }, 405, { Allow: "POST" }));
  return app;
}
