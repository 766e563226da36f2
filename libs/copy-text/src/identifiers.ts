/**
 * Table and column names come from the customer's database: they are data.
 * This is how they become PostgreSQL identifiers, always quoted.
 */
export function quotePg(identifier: string): string {
  return '"' + identifier.replace(/"/g, '""') + '"';
}

export function qualifiedPg(schema: string, table: string): string {
  return `${quotePg(schema)}.${quotePg(table)}`;
}

/** The column list of a COPY or SELECT, in the table schema's column order. */
export function columnListPg(columns: readonly { name: string }[]): string {
  return columns.map((c) => quotePg(c.name)).join(', ');
}
