import type { ColumnType } from '@omt/contracts';
import { neutralTypeFromPg, pgColumnType } from './pg-types';
import { createTablePgSql } from './pg-ddl';
import { quoteMssql, quotePg } from './sql-identifiers';

describe('PostgreSQL type mapping', () => {
  it('maps every neutral type to a column type and back', () => {
    const types: ColumnType[] = [
      { kind: 'int16' },
      { kind: 'int32' },
      { kind: 'int64' },
      { kind: 'decimal', precision: 38, scale: 10 },
      { kind: 'float32' },
      { kind: 'float64' },
      { kind: 'boolean' },
      { kind: 'text', maxLength: 511 },
      { kind: 'text', maxLength: null },
      { kind: 'binary', maxLength: null },
      { kind: 'date' },
      { kind: 'time' },
      { kind: 'timestamp' },
      { kind: 'timestamptz' },
      { kind: 'uuid' },
    ];
    const printed: Record<string, string> = {
      time: 'time without time zone',
      timestamp: 'timestamp without time zone',
      timestamptz: 'timestamp with time zone',
    };
    for (const type of types) {
      const sql = pgColumnType(type);
      expect(neutralTypeFromPg(printed[type.kind] ?? sql.replace(/^varchar/, 'character varying'))).toEqual(type);
    }
  });

  it('refuses types it cannot carry', () => {
    expect(neutralTypeFromPg('numeric')).toBeNull();
    expect(neutralTypeFromPg('jsonb')).toBeNull();
    expect(neutralTypeFromPg('integer[]')).toBeNull();
    expect(neutralTypeFromPg('character(1)')).toEqual({ kind: 'text', maxLength: 1, fixed: true });
    expect(neutralTypeFromPg('character varying(1)')).toEqual({ kind: 'text', maxLength: 1 });
  });

  it('quotes identifiers instead of interpolating them', () => {
    expect(quotePg('a"b')).toBe('"a""b"');
    expect(quoteMssql('a]b')).toBe('[a]]b]');
    const sql = createTablePgSql('crm"7', {
      name: 'x; DROP TABLE y',
      columns: [{ name: 'id', type: { kind: 'int32' }, nullable: false }],
      primaryKey: ['id'],
    });
    expect(sql).toBe('CREATE TABLE "crm""7"."x; DROP TABLE y" (\n  "id" integer NOT NULL,\n  CONSTRAINT "x; DROP TABLE y_pkey" PRIMARY KEY ("id")\n)');
  });
});
