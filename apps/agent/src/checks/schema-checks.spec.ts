import type { CrmCatalog } from '../catalog/crm-catalog';
import { neutralTypeFromMssql } from '../source/mssql-types';
import { neutralTypeFromPg } from '../source/pg-types';
import type { IntrospectedTable } from '../source/source-connector';
import { unsupportedColumnsCheck } from './schema-checks';

const input = (tables: IntrospectedTable[]) => ({ catalog: { tables } as CrmCatalog, archive: null });

/** A table as the SQL Server connector introspects it: the type through the real mapping. */
const mssqlTable = (name: string, columns: Array<[string, string]>): IntrospectedTable => ({
  name,
  primaryKey: ['id'],
  columns: [['id', 'int'], ...columns].map(([column, typeName]) => ({
    name: column!,
    nativeType: typeName!,
    nullable: true,
    type: neutralTypeFromMssql({ typeName: typeName!, maxLength: 8, precision: 0, scale: 0 }),
  })),
});

it('lists every SQL Server column of a type omt cannot carry, in every table, as one blocking finding', () => {
  const tables = [
    mssqlTable('contact', [['name', 'nvarchar']]),
    mssqlTable('y_site', [
      ['location', 'geography'],
      ['outline', 'geometry'],
    ]),
    mssqlTable('y_tree', [['node', 'hierarchyid']]),
    mssqlTable('y_bag', [
      ['anything', 'sql_variant'],
      ['note', 'nvarchar'],
    ]),
  ];
  const result = unsupportedColumnsCheck.run(input(tables));
  expect(result).toMatchObject({ id: 'columns-unsupported', severity: 'block', passed: false });
  expect(result.subjects).toEqual([
    'y_site.location (geography)',
    'y_site.outline (geometry)',
    'y_tree.node (hierarchyid)',
    'y_bag.anything (sql_variant)',
  ]);
  expect(result.message).toBe(
    '4 columns in 3 tables have types omt cannot migrate: y_site.location (geography), y_site.outline (geometry), y_tree.node (hierarchyid) and y_bag.anything (sql_variant).',
  );
  expect(result.fix).toMatch(/Change each listed column onsite/);
});

it('lists PostgreSQL columns by their native type, and passes when every type is carried', () => {
  const pgTable = (name: string, types: string[]): IntrospectedTable => ({
    name,
    primaryKey: [],
    columns: types.map((t, i) => ({ name: `c${i}`, nativeType: t, nullable: true, type: neutralTypeFromPg(t) })),
  });
  const odd = unsupportedColumnsCheck.run(
    input([pgTable('y_geo', ['integer', 'point', 'int4range', 'tsvector', 'numeric'])]),
  );
  expect(odd.subjects).toEqual([
    'y_geo.c1 (point)',
    'y_geo.c2 (int4range)',
    'y_geo.c3 (tsvector)',
    'y_geo.c4 (numeric)',
  ]);
  const fine = unsupportedColumnsCheck.run(input([pgTable('contact', ['integer', 'text', 'numeric(10,2)', 'uuid'])]));
  expect(fine).toMatchObject({ passed: true, message: 'Every column of the 1 table has a type omt can migrate.' });
});
