import { createHash } from 'node:crypto';
import { isOmtError } from '@omt/contracts';
import {
  PG_IDENTIFIER_MAX_BYTES,
  assertNoTenantNameCollision,
  renamedColumns,
  tenantIdentifier,
  tenantNameCollisions,
  tenantPrimaryKeyName,
} from './tenant-names';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const sha8 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 8);

describe('tenantIdentifier', () => {
  it('keeps a name that fits in 63 bytes as it is', () => {
    expect(tenantIdentifier('person')).toBe('person');
    const exactly63 = 'a'.repeat(63);
    expect(tenantIdentifier(exactly63)).toBe(exactly63);
    // 21 three-byte characters: 63 bytes, 21 characters.
    const cjk = '表'.repeat(21);
    expect(tenantIdentifier(cjk)).toBe(cjk);
  });

  it('shortens a longer name to a 54-byte prefix, `_` and 8 hex of its sha256: 63 bytes', () => {
    const name = 'a'.repeat(64);
    const mapped = tenantIdentifier(name);
    expect(mapped).toBe(`${'a'.repeat(54)}_${sha8(name)}`);
    expect(bytes(mapped)).toBe(PG_IDENTIFIER_MAX_BYTES);
    expect(tenantIdentifier('x'.repeat(128))).toHaveLength(63);
  });

  it('counts bytes, not characters, and never cuts a character in two', () => {
    // 22 characters but 66 bytes: PostgreSQL would cut it.
    const cjk = '表'.repeat(22);
    const mapped = tenantIdentifier(cjk);
    expect(mapped).not.toBe(cjk);
    // 18 three-byte characters = 54 bytes exactly.
    expect(mapped).toBe(`${'表'.repeat(18)}_${sha8(cjk)}`);
    // Two-byte characters after an odd prefix: the cut falls before the character that would pass 54 bytes.
    const mixed = `${'b'.repeat(53)}${'é'.repeat(10)}`;
    const cut = tenantIdentifier(mixed);
    expect(cut).toBe(`${'b'.repeat(53)}_${sha8(mixed)}`);
    expect(bytes(cut)).toBe(62);
    // A four-byte character (a surrogate pair in JavaScript) stays whole.
    const emoji = `${'c'.repeat(52)}😀${'d'.repeat(20)}`;
    const kept = tenantIdentifier(emoji);
    expect(kept.startsWith(`${'c'.repeat(52)}_`)).toBe(true);
    expect(Buffer.from(kept, 'utf8').toString('utf8')).toBe(kept);
    for (const n of [cjk, mixed, emoji, 'ü'.repeat(100)]) expect(bytes(tenantIdentifier(n))).toBeLessThanOrEqual(63);
  });

  it('is deterministic and keeps names that share a long prefix apart', () => {
    const prefix = 'p'.repeat(70);
    const a = `${prefix}${'a'.repeat(30)}`;
    const b = `${prefix}${'b'.repeat(30)}`;
    expect(tenantIdentifier(a)).toBe(tenantIdentifier(a));
    expect(tenantIdentifier(a)).not.toBe(tenantIdentifier(b));
    const many = new Set(Array.from({ length: 2000 }, (_, i) => tenantIdentifier(`${prefix}${i}`)));
    expect(many.size).toBe(2000);
  });

  it('names the primary key from the tenant table name, within 63 bytes', () => {
    expect(tenantPrimaryKeyName('person')).toBe('person_pkey');
    const long = 'l'.repeat(100);
    const key = tenantPrimaryKeyName(long);
    expect(bytes(key)).toBe(63);
    expect(key).toBe(tenantIdentifier(`${tenantIdentifier(long)}_pkey`));
  });

  it('lists the columns the tenant holds under another name', () => {
    const long = 'c'.repeat(100);
    expect(renamedColumns([{ name: 'id' }, { name: long }])).toEqual([
      { source: long, tenant: tenantIdentifier(long) },
    ]);
  });
});

describe('tenant name collisions', () => {
  it('finds none among distinct names, long ones included', () => {
    const prefix = 'p'.repeat(70);
    expect(
      tenantNameCollisions([{ name: `${prefix}a` }, { name: `${prefix}b` }, { name: 'person', primaryKey: ['id'] }]),
    ).toEqual([]);
  });

  it("refuses a source name equal to another one's shortened name, naming both", () => {
    const long = 'q'.repeat(100);
    const clash = tenantIdentifier(long);
    expect(() => assertNoTenantNameCollision([{ name: long }, { name: clash }])).toThrow(
      expect.objectContaining({
        code: 'NAME_COLLISION',
        message: expect.stringContaining(`table "${long}" and table "${clash}"`),
      }),
    );
  });

  it('counts the generated key name: table `a` with a key and a table `a_pkey` clash', () => {
    const collisions = tenantNameCollisions([{ name: 'a', primaryKey: ['id'] }, { name: 'a_pkey' }]);
    expect(collisions).toEqual([
      { tenantName: 'a_pkey', sources: ['the primary key of table "a"', 'table "a_pkey"'], path: 'tables' },
    ]);
    // Without a key there is no index name to clash with.
    expect(tenantNameCollisions([{ name: 'a', primaryKey: [] }, { name: 'a_pkey' }])).toEqual([]);
  });

  it('refuses two columns of one table on one tenant name, with the error code and a detail each', () => {
    const long = 'k'.repeat(100);
    try {
      assertNoTenantNameCollision([
        { name: 't', columns: [{ name: long }, { name: tenantIdentifier(long) }], primaryKey: [] },
      ]);
      throw new Error('expected NAME_COLLISION');
    } catch (error) {
      expect(isOmtError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'NAME_COLLISION', status: 422 });
      expect((error as { details: unknown[] }).details).toEqual([
        { path: 'tables.t.columns', message: expect.stringContaining(`column "${long}" of table "t"`) },
      ]);
    }
  });

  it('does not fold case: `Person` and `person` are two tables', () => {
    expect(tenantNameCollisions([{ name: 'Person' }, { name: 'person' }])).toEqual([]);
  });
});
