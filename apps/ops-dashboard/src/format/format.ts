/**
 * How the dashboard writes numbers: the same figure always looks the same,
 * whichever panel shows it. `—` stands for "not known (yet)".
 */

export const UNKNOWN = '—';

/** `93784` → `1d 2h`: seconds only under a minute; the two largest units are enough at a glance. */
export function formatDuration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds < 0) return UNKNOWN;
  const seconds = Math.floor(totalSeconds);
  if (seconds < 60) return `${seconds}s`;
  const units: Array<[string, number]> = [
    ['d', Math.floor(seconds / 86_400)],
    ['h', Math.floor((seconds % 86_400) / 3_600)],
    ['m', Math.floor((seconds % 3_600) / 60)],
    ['s', seconds % 60],
  ];
  const first = units.findIndex(([, value]) => value > 0);
  return units
    .slice(first, first + 2)
    .filter(([, value]) => value > 0)
    .map(([unit, value]) => `${value}${unit}`)
    .join(' ');
}

/** A countdown: `mm:ss` under an hour (it changes every second, so it reads like a clock), `2h 5m` above. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return UNKNOWN;
  const whole = Math.ceil(seconds);
  if (whole >= 3_600) return formatDuration(whole);
  const minutes = Math.floor(whole / 60);
  return `${String(minutes).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`;
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** Decimal units (1 MB = 10^6 bytes, as disks and networks count); one decimal under 10 of a unit. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return UNKNOWN;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const shown = unit === 0 || value >= 10 ? Math.round(value).toString() : (Math.round(value * 10) / 10).toFixed(1);
  return `${shown} ${BYTE_UNITS[unit]}`;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `1234567` → `1,234,567`. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return UNKNOWN;
  return integer.format(value);
}

/** Rows per second; null (no rate yet) shows as unknown. */
export function formatRowRate(perSecond: number | null): string {
  if (perSecond === null || !Number.isFinite(perSecond) || perSecond < 0) return UNKNOWN;
  if (perSecond > 0 && perSecond < 10) return `${(Math.round(perSecond * 10) / 10).toFixed(1)} rows/s`;
  return `${formatCount(perSecond)} rows/s`;
}

export function formatByteRate(perSecond: number | null): string {
  if (perSecond === null || !Number.isFinite(perSecond) || perSecond < 0) return UNKNOWN;
  return `${formatBytes(perSecond)}/s`;
}

/** `done of total` as a whole percentage, never 100 % before it is all done. */
export function formatPercent(done: number, total: number): string {
  if (total <= 0) return UNKNOWN;
  const percent = (done / total) * 100;
  return `${done < total ? Math.min(99, Math.floor(percent)) : 100}%`;
}

/** How long ago, relative to `now`: `12s ago`, `3m 4s ago`; `—` when never. */
export function formatAgo(iso: string | null, now: Date): string {
  if (iso === null) return UNKNOWN;
  const seconds = Math.max(0, (now.getTime() - Date.parse(iso)) / 1000);
  return `${formatDuration(seconds)} ago`;
}

/** An absolute time in the reader's locale; the title attribute carries the ISO form. */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString();
}
