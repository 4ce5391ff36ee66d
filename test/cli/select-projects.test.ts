import { describe, expect, it } from "vitest";

import { ConfigError } from "../../src/config/config-error.js";
import { selectProjects } from "../../src/cli/select-projects.js";

describe("selectProjects", () => {
  it("keeps the configured projects, or those named, once each", () => {
    expect(selectProjects(["a", "b"], [])).toEqual(["a", "b"]);
    expect(selectProjects(["a", "b"], ["b", "b"])).toEqual(["b"]);
  });

  it("names where the configured projects came from when one named is not among them", () => {
    expect(() => selectProjects(["a"], ["z"])).toThrow(
      new ConfigError("--project z is not in METASTUDIO_PROJECT_IDS (a)."),
    );
    // From an accounts file, the message must not send the user to a variable they never set.
    expect(() => selectProjects(["a"], ["z"], "METASTUDIO_CONFIG")).toThrow(
      new ConfigError("--project z is not in METASTUDIO_CONFIG (a)."),
    );
  });
});
