/**
 * Whether `text` is an upstream time in the form the API documents, `2021-01-10T08:43:17Z`, with
 * every field in range (the day within its month, the year from 1000): text that Postgres and
 * V8's `Date.parse` read as the same instant, so the write can send the upstream's own text for
 * a time node parsed instead of formatting it again (`toISOString` per time was about a tenth of
 * building the write's parameter). Anything else, `Date.parse` accepts more than Postgres does
 * (`2025-02-29` is March 1st to V8, an error to Postgres), so it is not taken as it is.
 */
export function isPlainUtcSecond(text: string): boolean {
  if (text.length !== 20) return false;
  if (!separatorsAt(text)) return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  return (
    year >= 1000 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    inRange(digits(text, 11, 2), 23) &&
    inRange(digits(text, 14, 2), 59) &&
    inRange(digits(text, 17, 2), 59)
  );
}

const [DASH, T, COLON, Z, ZERO] = [0x2d, 0x54, 0x3a, 0x5a, 0x30];

function separatorsAt(text: string): boolean {
  return (
    text.charCodeAt(4) === DASH &&
    text.charCodeAt(7) === DASH &&
    text.charCodeAt(10) === T &&
    text.charCodeAt(13) === COLON &&
    text.charCodeAt(16) === COLON &&
    text.charCodeAt(19) === Z
  );
}

/** The decimal number of `length` digits at `at`, or -1 if any is not an ASCII digit. */
function digits(text: string, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i += 1) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function inRange(value: number, max: number): boolean {
  return value >= 0 && value <= max;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
