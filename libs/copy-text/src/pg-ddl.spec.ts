import type { TableSchema } from '@omt/contracts';
import { addPrimaryKeyPgSql, createTablePgSql, pgColumnType } from './pg-ddl';
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
      'CREATE TABLE "crm""7"."x; DROP TABLE y" (\n  "id" integer NOT NULL,\n  "a""b" numeric(38,10),\n  PRIMARY KEY ("id")\n)',
    );
  });

  it('can leave the key for after the load', () => {
    expect(createTablePgSql('s', TABLE, { primaryKey: false, ifNotExists: true })).toBe(
      'CREATE TABLE IF NOT EXISTS "s"."x; DROP TABLE y" (\n  "id" integer NOT NULL,\n  "a""b" numeric(38,10)\n)',
    );
    expect(addPrimaryKeyPgSql('s', TABLE)).toBe('ALTER TABLE "s"."x; DROP TABLE y" ADD PRIMARY KEY ("id")');
    expect(addPrimaryKeyPgSql('s', { ...TABLE, primaryKey: [] })).toBeNull();
  });

  it('declares a column type for every neutral type', () => {
    expect(pgColumnType({ kind: 'text', maxLength: 511 })).toBe('varchar(511)');
    expect(pgColumnType({ kind: 'text', maxLength: null })).toBe('text');
    expect(pgColumnType({ kind: 'binary', maxLength: 16 })).toBe('bytea');
    expect(pgColumnType({ kind: 'timestamptz' })).toBe('timestamptz');
  });
});
