import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { TableSchema } from '@omt/contracts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases';
import { encodeCopyLine } from '../src/source/copy-text';
import { createTablePgSql } from '../src/source/pg-ddl';
import { COPY_SESSION_OPTIONS } from '../src/source/postgres-source';
import { Prng } from '../src/sample/prng';

/**
 * The JS encoder must print exactly what PostgreSQL prints: load its lines
 * with COPY FROM, read them back with COPY TO, and the bytes must be equal.
 */
const TABLE: TableSchema = {
  name: 'values',
  primaryKey: ['n'],
  columns: [
    { name: 'n', type: { kind: 'int32' }, nullable: false },
    { name: 'i64', type: { kind: 'int64' }, nullable: true },
    { name: 'd', type: { kind: 'decimal', precision: 38, scale: 10 }, nullable: true },
    { name: 'd0', type: { kind: 'decimal', precision: 18, scale: 0 }, nullable: true },
    { name: 'f4', type: { kind: 'float32' }, nullable: true },
    { name: 'f8', type: { kind: 'float64' }, nullable: true },
    { name: 'txt', type: { kind: 'text', maxLength: null }, nullable: true },
    { name: 'bin', type: { kind: 'binary', maxLength: null }, nullable: true },
    { name: 'dt', type: { kind: 'date' }, nullable: true },
    { name: 'tm', type: { kind: 'time' }, nullable: true },
    { name: 'ts', type: { kind: 'timestamp' }, nullable: true },
    { name: 'tz', type: { kind: 'timestamptz' }, nullable: true },
    { name: 'u', type: { kind: 'uuid' }, nullable: true },
    { name: 'b', type: { kind: 'boolean' }, nullable: true },
  ],
};

function randomRow(rng: Prng, n: number): unknown[] {
  const digits = (count: number) => Array.from({ length: count }, () => rng.int(0, 9)).join('');
  // Read the random bytes themselves (a small Buffer's `.buffer` is Node's shared pool).
  const float64 = rng.bytes(8).readDoubleLE(0);
  const float32 = rng.bytes(4).readFloatLE(0);
  // Large float32 integers whose shortest decimal would be exactly halfway to a neighbour.
  const float32Ties = [122287904, 122287896, 16777219, 3.4028235e38, 1.17549435e-38];
  const niceFloat = rng.pick([0.1, 1 / 3, 1e15, 1e-5, 123456.789, -2.5e-310, 65504, 1e6, 1e-4, ...float32Ties]);
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
  const text = Array.from({ length: rng.int(0, 30) }, () =>
    String.fromCodePoint(rng.pick([rng.int(1, 127), rng.int(0xa0, 0xd7ff), rng.int(0x10000, 0x10ffff), 9, 10, 13, 92])),
  ).join('');
  return [
    n,
    (rng.chance(0.5) ? '-' : '') + digits(rng.int(1, 18)),
    (rng.chance(0.5) ? '-' : '') + digits(rng.int(1, 28)) + '.' + digits(rng.int(0, 14)),
    digits(rng.int(1, 18)),
    rng.chance(0.5) ? float32 : Math.fround(niceFloat),
    rng.chance(0.5) ? float64 : niceFloat,
    text,
    rng.bytes(rng.int(0, 40)),
    iso(rng.int(-62135596800000, 253402214400000)).slice(0, 10),
    `${String(rng.int(0, 23)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}.${digits(rng.int(1, 7))}`,
    `${iso(rng.int(-62135596800000, 253402214400000))}.${digits(rng.int(1, 7))}`,
    `${iso(rng.int(-62135596800000 + 86400000, 253402214400000 - 86400000))}.${digits(rng.int(1, 6))}${rng.pick(['Z', '+05:30', '-11:00', '+00:00'])}`,
    Array.from(rng.bytes(16).toString('hex').toUpperCase().match(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/)!)
      .slice(1)
      .join('-'),
    rng.chance(0.5),
  ].map((v, i) => (i > 0 && rng.chance(0.05) ? null : v));
}

let db: TestDatabase;
let client: Client;

beforeAll(async () => {
  db = await createTestDatabase('copytext');
  client = new Client({ connectionString: db.url, options: COPY_SESSION_OPTIONS });
  await client.connect();
  await client.query('CREATE SCHEMA conf');
  await client.query(createTablePgSql('conf', TABLE));
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

it('prints 3000 random values of every kind exactly as PostgreSQL does', async () => {
  const rng = new Prng(20240601);
  const types = TABLE.columns.map((c) => c.type);
  const lines = Array.from({ length: 3000 }, (_, n) => encodeCopyLine(types, randomRow(rng, n)));
  // NaN and signed zero are not in the random draw's way of making values often enough: add them.
  lines.push(encodeCopyLine(types, [3000, '0', 'NaN', '-0', -0, -0, '', Buffer.alloc(0), '0001-01-01', '24:00:00', '0001-01-01T00:00:00', '1970-01-01T00:00:00Z', '00000000-0000-0000-0000-000000000000', false]));
  lines.push(encodeCopyLine(types, [3001, null, null, null, NaN, Infinity, '\\N', null, null, null, null, null, null, null]));
  await pipeline(Readable.from([Buffer.from(lines.join(''))]), client.query(copyFrom('COPY conf."values" FROM STDIN')));
  const chunks: Buffer[] = [];
  for await (const chunk of client.query(copyTo('COPY (SELECT * FROM conf."values" ORDER BY n) TO STDOUT'))) {
    chunks.push(chunk as Buffer);
  }
  const printed = Buffer.concat(chunks).toString('utf8').split('\n');
  const mismatches = lines
    .map((line, i) => ({ ours: line.slice(0, -1), theirs: printed[i] }))
    .filter((p) => p.ours !== p.theirs);
  expect(mismatches.slice(0, 3)).toEqual([]);
});
