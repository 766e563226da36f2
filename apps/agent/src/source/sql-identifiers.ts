/**
 * Table and column names come from the customer's database: they are data.
 * These are the only places that turn them into SQL.
 */
export function quotePg(identifier: string): string {
  return '"' + identifier.replace(/"/g, '""') + '"';
}

export function quoteMssql(identifier: string): string {
  return '[' + identifier.replace(/\]/g, ']]') + ']';
}

export function qualifiedPg(schema: string, table: string): string {
  return `${quotePg(schema)}.${quotePg(table)}`;
}

export function qualifiedMssql(schema: string, table: string): string {
  return `${quoteMssql(schema)}.${quoteMssql(table)}`;
}
