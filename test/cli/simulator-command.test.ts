import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

import { Command, CommanderError } from "commander";
import { afterEach, describe, expect, it } from "vitest";

import { EXIT_USAGE, reportError } from "../../src/cli/exit-codes.js";
import { registerSimulatorCommand } from "../../src/cli/simulator-command.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
const ENV = { PATH: process.env.PATH, METASTUDIO_PROJECT_IDS: "p-cli", METASTUDIO_AUTH_TOKEN: "cli-token" };

let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
  child = undefined;
});

function simulator(args: string[]): ChildProcess {
  child = spawn(TSX, [MAIN, "simulator", "--port", "0", ...args], { env: ENV });
  return child;
}

describe("metastudio-sync simulator", () => {
  it("serves with the upstream's clock offset and churn given as flags", async () => {
    const process = simulator(["--rooms", "50", "--clock-offset", "-240", "--churn-per-request", "1"]);
    let stdout = "";
    process.stdout?.setEncoding("utf8");
    for await (const chunk of process.stdout!) {
      stdout += String(chunk);
      if (stdout.includes("\n")) break;
    }
    const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
    expect(url, stdout).toBeDefined();
    const response = await fetch(`${url}/v1/p-cli/smart-chat-rooms?limit=1`, {
      headers: { "X-Auth-Token": "cli-token" },
    });
    const body = (await response.json()) as { smart_chat_rooms: Array<{ update_time: string }> };
    const ourNow = Date.now();
    // Four minutes behind, give or take how long the request took: nowhere near our clock.
    const upstreamDate = Date.parse(response.headers.get("date")!);
    expect(Math.abs(upstreamDate - (ourNow - 240_000))).toBeLessThan(30_000);
    // The edit made before this answer is the newest room, stamped by the same clock.
    const newest = Date.parse(body.smart_chat_rooms[0]!.update_time);
    expect(Math.abs(newest - (ourNow - 240_000))).toBeLessThan(30_000);
  });

  it("refuses bad time and churn flags with a usage error naming the flag", async () => {
    for (const [flag, value, message] of [
      ["--clock-offset", "90000", "--clock-offset must be a whole number from -86400 to 86400"],
      ["--churn-per-request", "-1", "--churn-per-request must be a number from 0 to 10000"],
      ["--churn-per-second", "lots", "--churn-per-second must be a number from 0 to 10000"],
      ["--churn-mix", "0,0,0", "--churn-mix takes three non-negative weights, not all zero"],
      ["--churn-mix", "1,2", "--churn-mix takes three non-negative weights"],
    ] as const) {
      const program = new Command("metastudio-sync").exitOverride().configureOutput({ writeErr: () => {} });
      registerSimulatorCommand(program);
      for (const command of program.commands) command.exitOverride().configureOutput({ writeErr: () => {} });
      const refused = await program.parseAsync(["node", "main", "simulator", flag, value]).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused, flag).toBeInstanceOf(CommanderError);
      expect((refused as CommanderError).message).toContain(message);
      // What main.ts turns it into: exit 2, the message already printed by commander.
      expect(reportError(refused, false)).toBe(EXIT_USAGE);
    }
  });
});
