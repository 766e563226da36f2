import type { ColumnType, TableSchema } from '@omt/contracts';
import { qualifiedPg, quotePg } from './identifiers';

/**
 * The PostgreSQL column type a tenant table declares for a neutral type.
 * Binary lengths are not enforced by bytea; PostgreSQL's varchar limit is far
 * above SQL Server's, so text lengths carry over as they are.
 */
export function pgColumnType(type: ColumnType): string {
  switch (type.kind) {
    case 'int16':
      return 'smallint';
    case 'int32':
      return 'integer';
    case 'int64':
      return 'bigint';
    case 'decimal':
      return `numeric(${type.precision},${type.scale})`;
    case 'float32':
      return 'real';
    case 'float64':
      return 'double precision';
    case 'boolean':
      return 'boolean';
    case 'text':
      return type.maxLength === null ? 'text' : `varchar(${type.maxLength})`;
    case 'binary':
      return 'bytea';
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'timestamp':
      return 'timestamp';
    case 'timestamptz':
      return 'timestamptz';
    case 'uuid':
      return 'uuid';
  }
}

export interface CreateTableOptions {
  /**
   * Declare the primary key in the table. The worker leaves it out and adds
   * it after the load (`addPrimaryKeyPgSql`): one index build instead of
   * maintaining the index row by row.
   */
  primaryKey?: boolean;
  ifNotExists?: boolean;
}

/** `CREATE TABLE` for a neutral table schema in PostgreSQL. */
export function createTablePgSql(schema: string, table: TableSchema, options: CreateTableOptions = {}): string {
  const { primaryKey = true, ifNotExists = false } = options;
  const columns = table.columns.map(
    (c) => `${quotePg(c.name)} ${pgColumnType(c.type)}${c.nullable ? '' : ' NOT NULL'}`,
  );
  if (primaryKey && table.primaryKey.length > 0) columns.push(`PRIMARY KEY (${table.primaryKey.map(quotePg).join(', ')})`);
  const create = ifNotExists ? 'CREATE TABLE IF NOT EXISTS' : 'CREATE TABLE';
  return `${create} ${qualifiedPg(schema, table.name)} (\n  ${columns.join(',\n  ')}\n)`;
}

/** `ALTER TABLE … ADD PRIMARY KEY`, or null for a table without one. */
export function addPrimaryKeyPgSql(schema: string, table: TableSchema): string | null {
  if (table.primaryKey.length === 0) return null;
  return `ALTER TABLE ${qualifiedPg(schema, table.name)} ADD PRIMARY KEY (${table.primaryKey.map(quotePg).join(', ')})`;
}
