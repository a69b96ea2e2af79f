/**
 * Instants as a person in Japan reads and types them in a list: wall-clock time in Japan (UTC+9, no daylight saving),
 * `2026-11-20 14:05:30`. Lists are read by people, so a list shows an instant this way, and what a person types back
 * (`2026/11/20 14:05`, `2026-11-20`, or Excel's own rendering of the cell) names the span it shows: that day, that
 * minute or that second.
 */

const JAPAN_OFFSET_MS = 9 * 3_600_000;

/** `2026-11-20T05:05:30.000Z` → `2026-11-20 14:05:30`. */
export function japanClockText(instant: string): string {
  const shifted = new Date(Date.parse(instant) + JAPAN_OFFSET_MS).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 19)}`;
}

/** The day it is in Japan at `instant`: `2026-11-20T16:00:00Z` → `2026-11-21`. */
export const japanDate = (instant: Date): string => new Date(instant.getTime() + JAPAN_OFFSET_MS).toISOString().slice(0, 10);

/** The instants a text names, from `from` (inclusive) to `to` (exclusive), in milliseconds. */
export interface TimeSpan {
  from: number;
  to: number;
}

// A date (2026-11-20, 2026/11/20, 2026.11.20), then optionally a time (14:05, 14:05:30), once Japanese units
// (2026年11月20日 14時05分30秒) are turned into separators.
const WALL_CLOCK = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[\sT]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?$/u;

const withoutJapaneseUnits = (text: string) =>
  text.replace(/[年月]/gu, '-').replace(/日/gu, ' ').replace(/[時分]/gu, ':').replace(/秒/gu, '').trim().replace(/:$/u, '');

/**
 * The span a typed date or date and time names, read in Japan time; an ISO 8601 text with its own offset (`Z`,
 * `+09:00`) names its second. Undefined when the text is not a real date and time.
 */
export function readJapanTime(text: string): TimeSpan | undefined {
  const typed = text.normalize('NFKC').trim();
  if (/T.*([zZ]|[+-]\d{2}:?\d{2})$/u.test(typed)) {
    const at = Date.parse(typed);
    if (Number.isNaN(at)) return undefined;
    const second = Math.floor(at / 1000) * 1000;
    return { from: second, to: second + 1000 };
  }
  const match = WALL_CLOCK.exec(withoutJapaneseUnits(typed));
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const [hour, minute, second] = [match[4], match[5], match[6]].map((part) => (part === undefined ? undefined : Number(part)));
  if (hour !== undefined && (hour > 23 || minute! > 59)) return undefined;
  if (second !== undefined && second > 59) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour ?? 0, minute ?? 0, second ?? 0);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  const length = second !== undefined ? 1000 : hour !== undefined ? 60_000 : 86_400_000;
  return { from: wall - JAPAN_OFFSET_MS, to: wall - JAPAN_OFFSET_MS + length };
}

/** Whether the instant falls in what the text names (the same day, minute or second, as the text is precise). */
export function namesInstant(text: string, instant: string): boolean {
  const span = readJapanTime(text);
  const at = Date.parse(instant);
  return span !== undefined && at >= span.from && at < span.to;
}

/*
 * Calendar days in Japan. Japan has no daylight saving time, so a day there is a fixed window of UTC: it starts at
 * 15:00 UTC the day before. Dates the product stores (リード発生日, 完了日, a task due on a day) are such days.
 */
const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/u;

/** `YYYY-MM-DD`, a day without a time. */
export const isDateOnly = (value: string): boolean => DATE_ONLY.test(value);

/** The calendar date in Japan of an instant (`YYYY-MM-DD`). */
export const japanDateOf = (instant: string | Date): string => new Date(new Date(instant).getTime() + JAPAN_OFFSET_MS).toISOString().slice(0, 10);

/** The instant (UTC ISO) a day in Japan starts. */
export const japanDayStart = (date: string): string => new Date(Date.parse(`${date}T00:00:00.000Z`) - JAPAN_OFFSET_MS).toISOString();

/** The instant (UTC ISO) the day after `date` starts in Japan: the exclusive end of `date`. */
export const japanDayEnd = (date: string): string => new Date(Date.parse(`${date}T00:00:00.000Z`) + DAY_MS - JAPAN_OFFSET_MS).toISOString();

/** The start of the day in Japan that holds `now`, and of the next one, as UTC ISO: the bounds of "today". */
export function japanDayBounds(now: Date): { start: string; end: string } {
  const start = Math.floor((now.getTime() + JAPAN_OFFSET_MS) / DAY_MS) * DAY_MS - JAPAN_OFFSET_MS;
  return { start: new Date(start).toISOString(), end: new Date(start + DAY_MS).toISOString() };
}

/** A date or an instant, as an instant (UTC ISO): a date counts as the start of that day in Japan. */
export const instantOfDateOrTime = (value: string): string => (isDateOnly(value) ? japanDayStart(value) : new Date(value).toISOString());

/** The day in Japan a date or an instant falls on. */
export const japanDateOfDateOrTime = (value: string): string => (isDateOnly(value) ? value : japanDateOf(value));
