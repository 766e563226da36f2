/**
 * Table and column names come from the customer's database: they are data.
 * These are the only places that turn them into SQL (PostgreSQL's are
 * shared with the worker in @omt/copy-text).
 */
export { quotePg, qualifiedPg } from '@omt/copy-text';

export function quoteMssql(identifier: string): string {
  return '[' + identifier.replace(/\]/g, ']]') + ']';
}

export function qualifiedMssql(schema: string, table: string): string {
  return `${quoteMssql(schema)}.${quoteMssql(table)}`;
}
