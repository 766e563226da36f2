import path from 'node:path';
import { PG_ADMIN_URL, REDIS_URL } from '../support/databases';
import { ROOT, runNode } from '../pipeline/support/pipeline-stack';

/**
 * `npm run bench` at a tiny size: every phase row is printed beside its
 * baseline, the structure phase among them, and the JSON line carries the
 * figures. Wall-clock values are machine-dependent: only their presence is
 * checked.
 */
jest.setTimeout(300_000);

it('prints the indexes & constraints phase beside pg_dump post-data, and its figures in the JSON line', async () => {
  const run = await runNode([path.join(ROOT, 'scripts/bench.mjs'), '--rows', '2000', '--documents', '4', '--doc-kb', '4'], {
    ...process.env,
    OMT_BENCH_PG_URL: PG_ADMIN_URL,
    REDIS_URL,
  });
  expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr.slice(-3000) }).toEqual({ code: 0, stderr: '' });
  const seconds = String.raw`\d+\.\d\d s`;
  expect(run.stdout).toMatch(new RegExp(String.raw`^\s+tables\s+${seconds}.*pg_dump \| psql\s+${seconds}`, 'm'));
  expect(run.stdout).toMatch(new RegExp(String.raw`^\s+indexes & constraints\s+${seconds} \d+ keys, \d+ indexes\s+pg_dump post-data\s+${seconds}\s+\d+\.\d\d$`, 'm'));
  expect(run.stdout).toMatch(/^\s+verification\s+\d+\.\d\d s \(counts, content hashes, structure compared\)$/m);

  const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    declaredKeys: number;
    declaredIndexes: number;
    seconds: { structure: number | null; verification: number | null };
    baseline: { postDataSeconds: number };
    ratio: { structureVsPostData: number | null };
    verified: boolean;
  };
  expect(result.verified).toBe(true);
  expect(result.declaredKeys).toBeGreaterThanOrEqual(30);
  expect(result.declaredIndexes).toBeGreaterThanOrEqual(30);
  for (const value of [result.seconds.structure, result.seconds.verification, result.baseline.postDataSeconds, result.ratio.structureVsPostData]) {
    expect(typeof value).toBe('number');
    expect(Number.isFinite(value)).toBe(true);
  }
});
