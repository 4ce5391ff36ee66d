import { ChurnSchedule, type Churn, type ChurnKind } from "./churn.js";
import { generateDataset, generateRoom, type RoomItem } from "./dataset.js";
import { rfc3339 } from "./prng.js";
import { ItemTexts } from "./item-texts.js";
import { RoomStore } from "./room-store.js";

/** Changes the upstream made by itself (churn and `mutationsPerRequest`), per project. */
export type ChangeCounts = Record<ChurnKind, number>;

interface Project {
  store: RoomStore;
  /** Every room ID ever deleted, whether or not it came back since. */
  deleted: Set<string>;
  changed: ChangeCounts;
}

/**
 * The upstream's projects and everything that changes them. Every time it stamps comes from
 * `upstreamNow`, the upstream's own clock, which may be off from ours; that is the point.
 */
export class UpstreamProjects {
  private readonly projects = new Map<string, Project>();
  private readonly churn: ChurnSchedule;
  private created = 0;

  constructor(
    projectIds: string[],
    roomsPerProject: number,
    seed: number,
    private readonly random: () => number,
    private readonly upstreamNow: () => Date,
  ) {
    this.churn = new ChurnSchedule(seed);
    const texts = new ItemTexts();
    for (const projectId of projectIds) {
      // Seeded by the project too: two projects never share room IDs, as upstream they cannot.
      const rooms = generateDataset(roomsPerProject, seed * 7919 + hash(projectId));
      this.projects.set(projectId, {
        store: new RoomStore(rooms, texts),
        deleted: new Set(),
        changed: { create: 0, update: 0, delete: 0 },
      });
    }
  }

  has(projectId: string): boolean {
    return this.projects.has(projectId);
  }

  store(projectId: string): RoomStore {
    return this.project(projectId).store;
  }

  create(projectId: string, fields: Record<string, unknown> = {}, random = this.random): RoomItem {
    this.created += 1;
    const at = this.nowSeconds();
    const room = { ...generateRoom(random, 1_000_000 + this.created, at, at), ...fields } as RoomItem;
    if (room.update_time === undefined) room.update_time = rfc3339(at);
    this.store(projectId).put(room.room_id, room);
    return room;
  }

  /** Applies `fields` and moves `update_time` to the upstream's now, unless `fields` sets it. */
  update(projectId: string, roomId: string, fields: Record<string, unknown> = {}): RoomItem {
    const current = this.store(projectId).get(roomId) as RoomItem | undefined;
    if (!current) throw new Error(`no room ${roomId} in project ${projectId}`);
    const room = { ...current, update_time: rfc3339(this.nowSeconds()), ...fields } as RoomItem;
    this.store(projectId).put(roomId, room);
    return room;
  }

  delete(projectId: string, roomId: string): boolean {
    const project = this.project(projectId);
    if (!project.store.delete(roomId)) return false;
    project.deleted.add(roomId);
    return true;
  }

  deletedIds(projectId: string): Set<string> {
    return new Set(this.project(projectId).deleted);
  }

  changeCounts(projectId: string): ChangeCounts {
    return { ...this.project(projectId).changed };
  }

  resetChurnClock(): void {
    this.churn.reset();
  }

  /** What the upstream changes by itself just before answering a list request of `projectId`. */
  beforeList(
    projectId: string,
    perRequest: { create: number; update: number; delete: number },
    churn: Churn,
    nowMs: number,
  ): void {
    const kinds: ChurnKind[] = [
      ...Array<ChurnKind>(perRequest.create).fill("create"),
      ...Array<ChurnKind>(perRequest.update).fill("update"),
      ...Array<ChurnKind>(perRequest.delete).fill("delete"),
    ];
    for (const kind of kinds) this.change(projectId, kind, this.random);
    const draw = () => this.churn.draw();
    for (const kind of this.churn.due(projectId, churn, nowMs)) this.change(projectId, kind, draw);
  }

  private change(projectId: string, kind: ChurnKind, random: () => number): void {
    const project = this.project(projectId);
    if (kind === "create") {
      this.create(projectId, {}, random);
    } else {
      const keys = project.store.keys();
      const key = keys[Math.floor(random() * keys.length)];
      if (key === undefined) return;
      if (kind === "update") {
        const room = project.store.get(key) as { concurrency?: unknown } | undefined;
        this.update(projectId, key, {
          room_name: `changed while paging ${this.created}-${project.changed.update}`,
          ...(typeof room?.concurrency === "number" ? { concurrency: (room.concurrency + 1) % 1025 } : {}),
        });
      } else {
        this.delete(projectId, key);
      }
    }
    project.changed[kind] += 1;
  }

  private project(projectId: string): Project {
    const found = this.projects.get(projectId);
    if (!found) throw new Error(`the simulator does not serve project ${projectId}`);
    return found;
  }

  private nowSeconds(): number {
    return Math.floor(this.upstreamNow().getTime() / 1000);
  }
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
