/**
 * RFC 3339's `date-time` (section 5.6), the format the documentation gives for start_time and
 * end_time, e.g. `2021-01-10T08:43:17Z`: seconds required, a fraction and a numeric offset allowed.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch milliseconds, or undefined for text that is not an RFC 3339 instant. Each field is held
 * to RFC 3339's ranges rather than left to Date.parse, which reads `2021-02-30` as March 2nd and
 * `24:00:00` as the next midnight, though RFC 3339 allows neither: a simulator that quietly
 * shifted the window would hide a client's bad date where the documentation promises a 400. A leap
 * second (`:60`) is refused, as Date.parse refused it before: whether the upstream takes one is
 * not documented.
 */
export function parseRfc3339(text: string): number | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const field = (group: number) => Number(match[group] ?? 0);
  const [year, month, day] = [field(1), field(2), field(3)] as const;
  const [hour, minute, second] = [field(4), field(5), field(6)] as const;
  const [offsetHour, offsetMinute] = [field(9), field(10)] as const;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHour > 23 || offsetMinute > 59) return undefined;
  const utc = new Date(0);
  // setUTCFullYear, not Date.UTC, which reads years 0 to 99 as 1900 to 1999.
  utc.setUTCFullYear(year, month - 1, day);
  // The fraction's first three digits are the milliseconds; Date.parse drops the rest too.
  const ms = Number((match[7] ?? ".").slice(1, 4).padEnd(3, "0"));
  utc.setUTCHours(hour, minute, second, ms);
  const offsetMs = (offsetHour * 60 + offsetMinute) * 60_000;
  return utc.getTime() - (match[8] === "-" ? -offsetMs : offsetMs);
}

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}
