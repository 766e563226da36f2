import type { TableSchema } from '@omt/contracts';
import { qualifiedPg, quotePg } from './identifiers';
import { tenantIdentifier, tenantPrimaryKeyName } from './tenant-names';
import { defaultPgExpression, identityPgClause } from './pg-column-structure';
import { pgColumnType } from './pg-column-type';

export { PG_MAX_NUMERIC_PRECISION, PG_MAX_TEXT_LENGTH } from './pg-column-type';

export interface CreateTableOptions {
  /**
   * Declare the primary key in the table. The worker leaves it out and adds
   * it after the load (`addPrimaryKeyPgSql`): one index build instead of
   * maintaining the index row by row.
   */
  primaryKey?: boolean;
  ifNotExists?: boolean;
  /**
   * Declare column defaults in the table (the default). The worker sets them
   * after the load instead (`setDefaultPgSql`), each on its own, so a source
   * default PostgreSQL cannot cast is one warning, not a failed ticket.
   */
  defaults?: boolean;
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
  const { primaryKey = true, ifNotExists = false, defaults = true } = options;
  const columns = table.columns.map((c) => {
    const fallback = defaults ? defaultPgExpression(c) : null;
    const identity = identityPgClause(c);
    return [
      `${quoteTenantPg(c.name)} ${pgColumnType(c.type)}`,
      c.nullable ? '' : ' NOT NULL',
      fallback ? ` DEFAULT ${fallback}` : '',
      identity ? ` ${identity}` : '',
    ].join('');
  });
  if (primaryKey && table.primaryKey.length > 0) columns.push(primaryKeyPg(table));
  const create = ifNotExists ? 'CREATE TABLE IF NOT EXISTS' : 'CREATE TABLE';
  return `${create} ${qualifiedTenantPg(schema, table.name)} (\n  ${columns.join(',\n  ')}\n)`;
}

/** `ALTER TABLE … ADD CONSTRAINT … PRIMARY KEY`, or null for a table without one. */
export function addPrimaryKeyPgSql(schema: string, table: TableSchema): string | null {
  if (table.primaryKey.length === 0) return null;
  return `ALTER TABLE ${qualifiedTenantPg(schema, table.name)} ADD ${primaryKeyPg(table)}`;
}
