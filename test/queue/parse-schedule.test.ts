import { describe, expect, it } from "vitest";

import { ConfigError } from "../../src/config/config-error.js";
import { parseSchedule } from "../../src/queue/parse-schedule.js";

describe("parseSchedule", () => {
  it("reads intervals in seconds, minutes, hours, days and their sums", () => {
    expect(parseSchedule("30s", "X")).toEqual({ every: 30_000 });
    expect(parseSchedule("5m", "X")).toEqual({ every: 300_000 });
    expect(parseSchedule("1h", "X")).toEqual({ every: 3_600_000 });
    expect(parseSchedule("1d", "X")).toEqual({ every: 86_400_000 });
    expect(parseSchedule(" 1h30m ", "X")).toEqual({ every: 5_400_000 });
    expect(parseSchedule("2H", "X")).toEqual({ every: 7_200_000 });
  });

  it("reads 5- and 6-field cron patterns, in UTC", () => {
    expect(parseSchedule("*/5 * * * *", "X")).toEqual({ pattern: "*/5 * * * *", tz: "UTC" });
    expect(parseSchedule("0  30 2 * * MON-FRI", "X")).toEqual({ pattern: "0 30 2 * * MON-FRI", tz: "UTC" });
  });

  it.each(["", "5", "5 minutes", "0s", "-5m", "5m-", "367d", "* * * *", "* * * * * * *", "1.5h", "5m; rm"])(
    "refuses %j with a ConfigError naming the variable",
    (raw) => {
      let error: unknown;
      try {
        parseSchedule(raw, "SYNC_FULL_EVERY");
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain("SYNC_FULL_EVERY");
    },
  );
});
