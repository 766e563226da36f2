import {
  formatAgo,
  formatByteRate,
  formatBytes,
  formatCount,
  formatDuration,
  formatEta,
  formatPercent,
  formatRowRate,
} from './format';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [59.9, '59s'],
    [60, '1m'],
    [61, '1m 1s'],
    [3_600, '1h'],
    [3_661, '1h 1m'],
    [86_400 + 7_200 + 180 + 4, '1d 2h'],
    [86_400 + 180, '1d'],
    [-1, '—'],
    [Number.NaN, '—'],
  ])('%p seconds → %p', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });
});

describe('formatEta', () => {
  it.each([
    [0, '00:00'],
    [0.2, '00:01'],
    [65, '01:05'],
    [3_599, '59:59'],
    [3_600, '1h'],
    [7_500, '2h 5m'],
    [null, '—'],
    [Number.POSITIVE_INFINITY, '—'],
  ])('%p seconds → %p', (seconds, expected) => {
    expect(formatEta(seconds)).toBe(expected);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1_000, '1.0 KB'],
    [1_536_000, '1.5 MB'],
    [12_345_678, '12 MB'],
    [114_000_000, '114 MB'],
    [2.5e9, '2.5 GB'],
    [-1, '—'],
  ])('%p → %p', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });
});

describe('rates, counts and percentages', () => {
  it('writes rows per second with separators, and a decimal for slow ones', () => {
    expect(formatRowRate(12_345.6)).toBe('12,346 rows/s');
    expect(formatRowRate(2.25)).toBe('2.3 rows/s');
    expect(formatRowRate(0)).toBe('0 rows/s');
    expect(formatRowRate(null)).toBe('—');
    expect(formatByteRate(2_500_000)).toBe('2.5 MB/s');
    expect(formatCount(1_234_567)).toBe('1,234,567');
  });

  it('never rounds up to 100 % before the end', () => {
    expect(formatPercent(999, 1000)).toBe('99%');
    expect(formatPercent(1000, 1000)).toBe('100%');
    expect(formatPercent(1, 3)).toBe('33%');
    expect(formatPercent(0, 0)).toBe('—');
  });

  it('says how long ago', () => {
    const now = new Date('2026-01-01T10:00:00Z');
    expect(formatAgo('2026-01-01T09:58:55Z', now)).toBe('1m 5s ago');
    expect(formatAgo(null, now)).toBe('—');
  });
});
