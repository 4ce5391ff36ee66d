import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";

import { handleRequest } from "./handle-request.js";
import type { SimulatorState } from "./simulator-state.js";

export interface SimulatorServer {
  /** Base URL, also the IAM endpoint. */
  url: string;
  /** Stops listening and destroys every open connection, endless answers included. */
  close(): Promise<void>;
}

/** Serves `state` over HTTP on `host` and `port` (0: a free one). */
export async function startSimulatorServer(
  state: SimulatorState,
  host: string,
  port: number,
): Promise<SimulatorServer> {
  const sockets = new Set<Socket>();
  // handleRequest answers its own failures (a 500), so it never rejects.
  const server = createServer((request, response) => void handleRequest(state, request, response));
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostname = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostname}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
