import type { SimulatorCredentials } from "./simulator-auth.js";
import type { SimulatorBehaviour } from "./simulator-behaviour.js";

/** What a simulator is started with (startSimulator). */
export interface SimulatorOptions {
  projectIds: string[];
  /** @default 1000 */
  roomsPerProject?: number;
  /** Same seed and size, same dataset. @default 1 */
  seed?: number;
  credentials: SimulatorCredentials;
  /** @default "127.0.0.1" */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  behaviour?: Partial<SimulatorBehaviour>;
  /** Our clock; the upstream's is this plus `clockOffsetSeconds`. @default the real time */
  now?: () => Date;
  /**
   * Requests `requests` keeps, the newest: a simulator serving a long drill or a 1M-room bench
   * must not grow without end. @default 50000
   */
  maxLoggedRequests?: number;
}
