import type { TableSchema } from '@omt/contracts';
import { addPrimaryKeyPgSql, createTablePgSql, qualifiedTenantPg, tenantColumnListPg } from './pg-ddl';
import { pgColumnType } from './pg-column-type';
import { tenantIdentifier, tenantPrimaryKeyName } from './tenant-names';
import { columnListPg, qualifiedPg, quotePg } from './identifiers';

const TABLE: TableSchema = {
  name: 'x; DROP TABLE y',
  columns: [
    { name: 'id', type: { kind: 'int32' }, nullable: false },
    { name: 'a"b', type: { kind: 'decimal', precision: 38, scale: 10 }, nullable: true },
  ],
  primaryKey: ['id'],
};

describe('tenant DDL', () => {
  it('quotes identifiers instead of interpolating them', () => {
    expect(quotePg('a"b')).toBe('"a""b"');
    expect(qualifiedPg('crm"7', 't')).toBe('"crm""7"."t"');
    expect(columnListPg(TABLE.columns)).toBe('"id", "a""b"');
    expect(createTablePgSql('crm"7', TABLE)).toBe(
      'CREATE TABLE "crm""7"."x; DROP TABLE y" (\n  "id" integer NOT NULL,\n  "a""b" numeric(38,10),\n  CONSTRAINT "x; DROP TABLE y_pkey" PRIMARY KEY ("id")\n)',
    );
  });

  it('can leave the key for after the load', () => {
    expect(createTablePgSql('s', TABLE, { primaryKey: false, ifNotExists: true })).toBe(
      'CREATE TABLE IF NOT EXISTS "s"."x; DROP TABLE y" (\n  "id" integer NOT NULL,\n  "a""b" numeric(38,10)\n)',
    );
    expect(addPrimaryKeyPgSql('s', TABLE)).toBe('ALTER TABLE "s"."x; DROP TABLE y" ADD CONSTRAINT "x; DROP TABLE y_pkey" PRIMARY KEY ("id")');
    expect(addPrimaryKeyPgSql('s', { ...TABLE, primaryKey: [] })).toBeNull();
  });

  it('declares a column type for every neutral type', () => {
    expect(pgColumnType({ kind: 'text', maxLength: 511 })).toBe('varchar(511)');
    expect(pgColumnType({ kind: 'text', maxLength: null })).toBe('text');
    expect(pgColumnType({ kind: 'binary', maxLength: 16 })).toBe('bytea');
    expect(pgColumnType({ kind: 'timestamptz' })).toBe('timestamptz');
  });

  it('widens types PostgreSQL refuses as declared to ones that hold every value', () => {
    expect(pgColumnType({ kind: 'text', maxLength: 10_485_760 })).toBe('varchar(10485760)');
    expect(pgColumnType({ kind: 'text', maxLength: 10_485_761 })).toBe('text');
    expect(pgColumnType({ kind: 'decimal', precision: 1000, scale: 1000 })).toBe('numeric(1000,1000)');
    expect(pgColumnType({ kind: 'decimal', precision: 1001, scale: 2 })).toBe('numeric');
    expect(pgColumnType({ kind: 'decimal', precision: 20, scale: 1001 })).toBe('numeric');
  });

  it('names tables, columns and the key as the tenant holds them', () => {
    const longTable = 't'.repeat(100);
    const longColumn = 'c'.repeat(100);
    const table: TableSchema = {
      name: longTable,
      columns: [
        { name: longColumn, type: { kind: 'int32' }, nullable: false },
        { name: 'v', type: { kind: 'text', maxLength: null }, nullable: true },
      ],
      primaryKey: [longColumn],
    };
    const t = tenantIdentifier(longTable);
    const c = tenantIdentifier(longColumn);
    expect(qualifiedTenantPg('s', longTable)).toBe(`"s"."${t}"`);
    expect(tenantColumnListPg(table.columns)).toBe(`"${c}", "v"`);
    expect(createTablePgSql('s', table, { primaryKey: false })).toBe(`CREATE TABLE "s"."${t}" (\n  "${c}" integer NOT NULL,\n  "v" text\n)`);
    expect(addPrimaryKeyPgSql('s', table)).toBe(
      `ALTER TABLE "s"."${t}" ADD CONSTRAINT "${tenantPrimaryKeyName(longTable)}" PRIMARY KEY ("${c}")`,
    );
  });
});
