import {
  addSample,
  averageRates,
  downtimeSeconds,
  etaSeconds,
  throughput,
  windowRates,
  type ProgressSample,
} from './progress-math';

const T0 = Date.parse('2026-01-01T10:00:00Z');
const at = (seconds: number) => T0 + seconds * 1000;
const iso = (seconds: number) => new Date(at(seconds)).toISOString();
const progress = (rows: number, rowsTotal: number, bytes = rows * 100, bytesTotal = rowsTotal * 100) => ({
  rows: { done: rows, total: rowsTotal },
  bytes: { done: bytes, total: bytesTotal },
});

function series(points: Array<[number, number]>): ProgressSample[] {
  return points.reduce<ProgressSample[]>(
    (all, [s, rows]) => addSample(all, { at: at(s), rows, bytes: rows * 100 }),
    [],
  );
}

describe('addSample', () => {
  it('keeps the last minute and one older sample as anchor', () => {
    const samples = series([
      [0, 0],
      [30, 300],
      [50, 500],
      [100, 1000],
    ]);
    expect(samples.map((s) => s.rows)).toEqual([300, 500, 1000]);
  });

  it('starts again when the figures go backwards (a reset test migration)', () => {
    expect(
      series([
        [0, 500],
        [10, 20],
      ]).map((s) => s.rows),
    ).toEqual([20]);
  });

  it('replaces a sample that arrives with the same or an older time', () => {
    expect(
      series([
        [0, 0],
        [5, 50],
        [5, 60],
      ]).map((s) => s.rows),
    ).toEqual([0, 60]);
  });
});

describe('windowRates', () => {
  it('is the change over the window, measured up to now', () => {
    const samples = series([
      [0, 0],
      [10, 1000],
    ]);
    expect(windowRates(samples, at(10))).toEqual({ rowsPerSecond: 100, bytesPerSecond: 10_000 });
    // Nothing new for another 10 s: the rate halves instead of freezing.
    expect(windowRates(samples, at(20)).rowsPerSecond).toBe(50);
  });

  it('says nothing from one sample or from a span too short to mean anything', () => {
    expect(windowRates(series([[0, 10]]), at(5)).rowsPerSecond).toBeNull();
    expect(
      windowRates(
        series([
          [0, 0],
          [1, 100],
        ]),
        at(1),
      ).rowsPerSecond,
    ).toBeNull();
  });

  it('falls to zero when the ticket has been silent for longer than the window', () => {
    const samples = series([
      [0, 0],
      [10, 1000],
    ]);
    expect(windowRates(samples, at(600)).rowsPerSecond).toBe(0);
  });
});

describe('throughput', () => {
  const started = { uploadStartedAt: iso(0), finishedAt: null };

  it('uses the average since the start until live samples span long enough', () => {
    expect(throughput([], progress(2000, 10_000), started, at(20))).toEqual({
      rowsPerSecond: 100,
      bytesPerSecond: 10_000,
    });
  });

  it('prefers the live rate over the average', () => {
    const samples = series([
      [100, 2000],
      [110, 7000],
    ]);
    expect(throughput(samples, progress(7000, 10_000), started, at(110)).rowsPerSecond).toBe(500);
  });

  it('is the overall average once finished, and unknown before the upload started', () => {
    const finished = { uploadStartedAt: iso(0), finishedAt: iso(100) };
    expect(throughput([], progress(10_000, 10_000), finished, at(5000)).rowsPerSecond).toBe(100);
    expect(
      throughput([], progress(0, 10), { uploadStartedAt: null, finishedAt: null }, at(10)).rowsPerSecond,
    ).toBeNull();
  });
});

describe('etaSeconds', () => {
  it('is the longer of the rows and the bytes still to go', () => {
    expect(etaSeconds(progress(1000, 2000, 5000, 100_000), { rowsPerSecond: 100, bytesPerSecond: 1000 })).toBe(95);
    expect(etaSeconds(progress(1000, 2000, 99_000, 100_000), { rowsPerSecond: 100, bytesPerSecond: 1000 })).toBe(10);
  });

  it('is zero when done and unknown when nothing moves', () => {
    expect(etaSeconds(progress(10, 10), { rowsPerSecond: null, bytesPerSecond: null })).toBe(0);
    expect(etaSeconds(progress(5, 10), { rowsPerSecond: 0, bytesPerSecond: 0 })).toBeNull();
    expect(etaSeconds(progress(5, 10), { rowsPerSecond: null, bytesPerSecond: null })).toBeNull();
  });
});

describe('averageRates and downtimeSeconds', () => {
  it('counts downtime from the upload start until the end, or until now', () => {
    expect(downtimeSeconds({ uploadStartedAt: iso(0), finishedAt: null }, at(90))).toBe(90);
    expect(downtimeSeconds({ uploadStartedAt: iso(0), finishedAt: iso(60) }, at(900))).toBe(60);
    expect(downtimeSeconds({ uploadStartedAt: null, finishedAt: null }, at(90))).toBeNull();
  });

  it('has no average before the upload started', () => {
    expect(averageRates(progress(10, 10), null, at(10)).rowsPerSecond).toBeNull();
  });
});
