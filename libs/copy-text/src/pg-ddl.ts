import type { ColumnType, TableSchema } from '@omt/contracts';
import { qualifiedPg, quotePg } from './identifiers';
import { tenantIdentifier, tenantPrimaryKeyName } from './tenant-names';

/** PostgreSQL's largest `varchar(n)` / `char(n)` length (and `bit(n)`'s, which the neutral model has no use for). */
export const PG_MAX_TEXT_LENGTH = 10_485_760;
/** PostgreSQL's largest `numeric(p,s)` precision and scale. */
export const PG_MAX_NUMERIC_PRECISION = 1000;

/**
 * The PostgreSQL column type a tenant table declares for a neutral type.
 * A declaration PostgreSQL refuses would fail the whole ticket for a column
 * whose values it can hold, so such types widen to one that holds every
 * value: text lengths beyond its limit become `text`, precisions beyond its
 * limit unconstrained `numeric` (which keeps each value's digits and scale,
 * so the COPY text read back is the same). Binary lengths are not enforced
 * by bytea.
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
      return type.precision > PG_MAX_NUMERIC_PRECISION || type.scale > PG_MAX_NUMERIC_PRECISION
        ? 'numeric'
        : `numeric(${type.precision},${type.scale})`;
    case 'float32':
      return 'real';
    case 'float64':
      return 'double precision';
    case 'boolean':
      return 'boolean';
    case 'text':
      return type.maxLength === null || type.maxLength > PG_MAX_TEXT_LENGTH ? 'text' : `varchar(${type.maxLength})`;
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

/** A table as the tenant names it (`tenantIdentifier`), schema-qualified and quoted. */
export function qualifiedTenantPg(schema: string, table: string): string {
  return qualifiedPg(schema, tenantIdentifier(table));
}

/** A quoted column list under the tenant's column names, in the table schema's order. */
export function tenantColumnListPg(columns: readonly { name: string }[]): string {
  return columns.map((c) => quoteTenantPg(c.name)).join(', ');
}

export function quoteTenantPg(name: string): string {
  return quotePg(tenantIdentifier(name));
}

function primaryKeyPg(table: TableSchema): string {
  return `CONSTRAINT ${quotePg(tenantPrimaryKeyName(table.name))} PRIMARY KEY (${table.primaryKey.map(quoteTenantPg).join(', ')})`;
}

/** `CREATE TABLE` for a neutral table schema in PostgreSQL, under the tenant's names. */
export function createTablePgSql(schema: string, table: TableSchema, options: CreateTableOptions = {}): string {
  const { primaryKey = true, ifNotExists = false } = options;
  const columns = table.columns.map(
    (c) => `${quoteTenantPg(c.name)} ${pgColumnType(c.type)}${c.nullable ? '' : ' NOT NULL'}`,
  );
  if (primaryKey && table.primaryKey.length > 0) columns.push(primaryKeyPg(table));
  const create = ifNotExists ? 'CREATE TABLE IF NOT EXISTS' : 'CREATE TABLE';
  return `${create} ${qualifiedTenantPg(schema, table.name)} (\n  ${columns.join(',\n  ')}\n)`;
}

/** `ALTER TABLE … ADD CONSTRAINT … PRIMARY KEY`, or null for a table without one. */
export function addPrimaryKeyPgSql(schema: string, table: TableSchema): string | null {
  if (table.primaryKey.length === 0) return null;
  return `ALTER TABLE ${qualifiedTenantPg(schema, table.name)} ADD ${primaryKeyPg(table)}`;
}
