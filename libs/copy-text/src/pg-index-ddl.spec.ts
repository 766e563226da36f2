import type { IndexDefinition, TableSchema } from '@omt/contracts';
import { createTablePgSql } from './pg-ddl';
import {
  createIndexPgSql,
  declaredAsConstraint,
  restartIdentityPgSql,
  setDefaultPgSql,
  structureProblems,
  tenantIndexNames,
} from './pg-index-ddl';
import { tenantIdentifier, tenantPrimaryKeyName } from './tenant-names';

const index = (name: string, over: Partial<IndexDefinition> = {}): IndexDefinition => ({
  name,
  unique: false,
  constraint: false,
  keys: [{ column: 'name', descending: false }],
  include: [],
  filter: [],
  ...over,
});

const TABLE: TableSchema = {
  name: 'con"tact',
  columns: [
    {
      name: 'id',
      type: { kind: 'int32' },
      nullable: false,
      identity: { generation: 'always', start: '1', increment: '1', next: '43' },
    },
    {
      name: 'name',
      type: { kind: 'text', maxLength: 254 },
      nullable: false,
      default: { kind: 'literal', value: "O'Brien" },
    },
    { name: 'code', type: { kind: 'text', maxLength: 5, fixed: true }, nullable: true },
    { name: 'registered', type: { kind: 'timestamp' }, nullable: false, default: { kind: 'now' } },
    { name: 'guid', type: { kind: 'uuid' }, nullable: false, default: { kind: 'uuid' } },
    { name: 'deleted', type: { kind: 'int16' }, nullable: false, default: { kind: 'literal', value: '0' } },
  ],
  primaryKey: ['id'],
  indexes: [],
};

describe('structure DDL', () => {
  it('declares fixed-length text, identity and defaults with the table', () => {
    expect(createTablePgSql('crm7', TABLE, { primaryKey: false })).toBe(
      [
        'CREATE TABLE "crm7"."con""tact" (',
        '  "id" integer NOT NULL GENERATED ALWAYS AS IDENTITY (START WITH 1 INCREMENT BY 1),',
        `  "name" varchar(254) NOT NULL DEFAULT 'O''Brien'::varchar,`,
        '  "code" character(5),',
        '  "registered" timestamp NOT NULL DEFAULT now(),',
        '  "guid" uuid NOT NULL DEFAULT gen_random_uuid(),',
        `  "deleted" smallint NOT NULL DEFAULT 0`,
        ')',
      ].join('\n'),
    );
  });

  it('leaves defaults for after the load when asked, and sets each on its own', () => {
    expect(createTablePgSql('s', TABLE, { primaryKey: false, defaults: false })).not.toContain('DEFAULT');
    expect(setDefaultPgSql('s', TABLE, TABLE.columns[5]!)).toBe(
      `ALTER TABLE "s"."con""tact" ALTER COLUMN "deleted" SET DEFAULT 0`,
    );
    expect(setDefaultPgSql('s', TABLE, TABLE.columns[2]!)).toBeNull();
    expect(restartIdentityPgSql('s', TABLE, TABLE.columns[0]!)).toBe(
      'ALTER TABLE "s"."con""tact" ALTER COLUMN "id" RESTART WITH 43',
    );
  });

  it('makes a unique constraint of plain ascending columns, and a unique index of anything else', () => {
    const uq = index('UQ_name', { unique: true, constraint: true, include: ['code'] });
    expect(declaredAsConstraint(uq)).toBe(true);
    expect(createIndexPgSql('s', TABLE, uq, 'UQ_name')).toBe(
      'ALTER TABLE "s"."con""tact" ADD CONSTRAINT "UQ_name" UNIQUE ("name") INCLUDE ("code")',
    );
    const descending = { ...uq, keys: [{ column: 'name', descending: true }] };
    expect(declaredAsConstraint(descending)).toBe(false);
    expect(createIndexPgSql('s', TABLE, descending, 'UQ_name')).toBe(
      'CREATE UNIQUE INDEX "UQ_name" ON "s"."con""tact" ("name" DESC) INCLUDE ("code")',
    );
  });

  it('writes functions and filters from structure, with constants as cast literals', () => {
    const filtered = index('IX"x', {
      keys: [
        { column: 'name', descending: false, function: 'lower' },
        { column: 'id', descending: true },
      ],
      filter: [
        { column: 'deleted', op: '=', value: "0'; DROP TABLE x; --" },
        { column: 'code', op: 'isNotNull' },
      ],
    });
    expect(createIndexPgSql('s', TABLE, filtered, 'IX"x')).toBe(
      `CREATE INDEX "IX""x" ON "s"."con""tact" (lower("name"), "id" DESC) WHERE "deleted" = '0''; DROP TABLE x; --'::smallint AND "code" IS NOT NULL`,
    );
  });

  it('gives every index a tenant name no other relation of the schema has', () => {
    const a: TableSchema = { ...TABLE, name: 'a', indexes: [index('IX_name'), index('b')] };
    const b: TableSchema = { ...TABLE, name: 'b', indexes: [index('IX_name'), index('a_IX_name')] };
    const long: TableSchema = { ...TABLE, name: 'c', indexes: [index('i'.repeat(100))] };
    const names = tenantIndexNames([b, long, a]);
    expect(names.get('a')).toEqual(
      new Map([
        ['IX_name', 'IX_name'],
        ['b', 'a_b'],
      ]),
    );
    const bNames = names.get('b')!;
    expect(bNames.get('IX_name')).toBe('b_IX_name');
    expect(bNames.get('a_IX_name')).toBe('a_IX_name');
    expect(names.get('c')!.get('i'.repeat(100))).toBe(tenantIdentifier('i'.repeat(100)));
    const all = [...names.values()].flatMap((m) => [...m.values()]);
    const relations = [
      ...all,
      'a',
      'b',
      'c',
      tenantPrimaryKeyName('a'),
      tenantPrimaryKeyName('b'),
      tenantPrimaryKeyName('c'),
    ];
    expect(new Set(relations).size).toBe(relations.length);
    expect(all.every((n) => Buffer.byteLength(n) <= 63)).toBe(true);
    // Same tables in another order: same names.
    expect(tenantIndexNames([a, b, long])).toEqual(names);
  });

  it('names what does not hold together in a declared structure', () => {
    const broken: TableSchema = {
      ...TABLE,
      columns: [
        ...TABLE.columns,
        {
          name: 'amount',
          type: { kind: 'decimal', precision: 18, scale: 0 },
          nullable: false,
          identity: { generation: 'always', start: '1', increment: '1', next: null },
        },
      ],
      indexes: [
        index('IX_a', { keys: [{ column: 'nope', descending: false }] }),
        index('IX_a', { filter: [{ column: 'deleted', op: '=' }] }),
        index('IX_b', { keys: [{ column: 'deleted', descending: false, function: 'upper' }] }),
      ],
    };
    expect(structureProblems(broken)).toEqual([
      'index "IX_a" names column "nope", which the table does not have',
      'index "IX_a" has a filter on "deleted" without a value',
      'index "IX_b" applies upper() to "deleted", a int16 column; only text has case',
      'index name "IX_a" is declared more than once',
      'column "amount" is an identity column of type decimal; PostgreSQL numbers only smallint, integer and bigint',
    ]);
    expect(structureProblems(TABLE)).toEqual([]);
  });
});
