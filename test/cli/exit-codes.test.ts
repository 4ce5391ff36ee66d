import { afterEach, describe, expect, it, vi } from "vitest";

import { escapeControl, EXIT_FAILED, reportError } from "../../src/cli/exit-codes.js";

function captured(run: () => void): string {
  let out = "";
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe("reportError", () => {
  const error = new Error("Sync failed for room \u001b[2J\u001b[31mevil", {
    cause: new Error("upstream said \u0007bell", { cause: new Error("socket hang up") }),
  });

  it("escapes control characters and ANSI escapes from upstream text", () => {
    const out = captured(() => expect(reportError(error, false)).toBe(EXIT_FAILED));
    expect(out).not.toContain("\u001b");
    expect(out).not.toContain("\u0007");
    expect(out).toContain("room \\x1b[2J\\x1b[31mevil");
    expect(out).toContain("caused by: socket hang up");
    expect(escapeControl("a\tb\nc")).toBe("a\\x09b\\x0ac");
  });

  it("--verbose prints every cause with its stack", () => {
    const out = captured(() => reportError(error, true));
    expect(out).toContain("upstream said \\x07bell");
    expect(out).toContain("socket hang up");
    expect(out).toMatch(/\n\s+at /);
    expect(out).not.toContain("\u001b");
  });
});
