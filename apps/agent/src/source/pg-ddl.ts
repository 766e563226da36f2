import type { TableSchema } from '@omt/contracts';
import { pgColumnType } from './pg-types';
import { qualifiedPg, quotePg } from './sql-identifiers';

/** `CREATE TABLE` for a neutral table schema in PostgreSQL (used by the sample and by tests; the worker will too). */
export function createTablePgSql(schema: string, table: TableSchema): string {
  const columns = table.columns.map(
    (c) => `${quotePg(c.name)} ${pgColumnType(c.type)}${c.nullable ? '' : ' NOT NULL'}`,
  );
  if (table.primaryKey.length > 0) columns.push(`PRIMARY KEY (${table.primaryKey.map(quotePg).join(', ')})`);
  return `CREATE TABLE ${qualifiedPg(schema, table.name)} (\n  ${columns.join(',\n  ')}\n)`;
}
