import { tenantIdentifier } from '@omt/copy-text';
import { compareTables, describeMismatches } from './table-verifier';

const d = (rows: number, c: string) => ({ rows, hash: c.repeat(64) });

describe('compareTables', () => {
  it('reports missing tables, row counts before hashes, in table order, and ignores tenant-only tables', () => {
    const mismatches = compareTables(
      { b: d(2, 'a'), a: d(1, 'a'), same: d(3, 'c'), gone: d(0, '0') },
      new Map([
        ['a', d(1, 'b')],
        ['b', d(3, 'b')],
        ['same', d(3, 'c')],
        ['extra', d(9, 'e')],
      ]),
    );
    expect(mismatches.map((m) => [m.table, m.kind])).toEqual([
      ['a', 'hash'],
      ['b', 'rows'],
      ['gone', 'missing'],
    ]);
    expect(describeMismatches(mismatches.slice(2))).toBe('Verification failed for table "gone": Table "gone" is missing in the tenant.');
  });

  it('finds nothing when everything matches', () => {
    expect(compareTables({ t: d(5, 'f') }, { t: d(5, 'f') })).toEqual([]);
  });

  it('names the tenant table a long source name is stored as', () => {
    const long = 'n'.repeat(100);
    const [missing] = compareTables({ [long]: d(1, 'a') }, {});
    expect(missing!.message).toBe(`Table "${long}" (stored as "${tenantIdentifier(long)}") is missing in the tenant.`);
  });
});
