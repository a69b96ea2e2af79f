/** Sizes and counts as they appear in messages to users: "3.2 GB", "1,048,576". */

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'] as const;

/** Binary units with the names Windows shows, so "1 GB" is the 1 GiB default limit. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${bytes.toLocaleString('en-US')} bytes`;
  const rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  return `${rounded} ${UNITS[unit]}`;
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}
