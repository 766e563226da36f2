import { quotePg } from '@omt/copy-text';
import { queryDatabase } from '../../support/databases';

export interface TableFingerprint {
  rows: number;
  /** md5 over every row's text, sorted: equal fingerprints mean equal multisets of rows. */
  md5: string;
}

/**
 * Every base table of a schema with its row count and a hash of its rows,
 * computed by PostgreSQL alone (not by the code under test). Rows compare by
 * their text form, so a value that changed type, precision, zone or bytes
 * shows up as a different hash. `exclude` leaves out columns a later step
 * rewrites on purpose (checked on their own by the test).
 */
export async function fingerprintSchema(
  url: string,
  schema: string,
  exclude: Record<string, readonly string[]> = {},
): Promise<Map<string, TableFingerprint>> {
  const columns = await queryDatabase(
    url,
    `SELECT c.table_name, c.column_name
     FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.table_schema = $1
     ORDER BY c.table_name, c.ordinal_position`,
    [schema],
  );
  const tables = new Map<string, string[]>();
  for (const { table_name, column_name } of columns) {
    const table = String(table_name);
    if ((exclude[table] ?? []).includes(String(column_name))) continue;
    tables.set(table, [...(tables.get(table) ?? []), quotePg(String(column_name))]);
  }
  const result = new Map<string, TableFingerprint>();
  for (const [table, list] of tables) {
    const [row] = await queryDatabase(
      url,
      `SELECT count(*)::bigint AS n, md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) AS h
       FROM (SELECT ROW(${list.join(', ')}) AS r FROM ${quotePg(schema)}.${quotePg(table)}) t`,
    );
    result.set(table, { rows: Number(row!.n), md5: String(row!.h) });
  }
  return result;
}

/**
 * The configuration step writes the plan's login emails as `associate.userName`
 * on purpose; tests compare that column with the plan instead of the source.
 */
export const CONFIGURED_COLUMNS = { associate: ['userName'] } as const;

/** Every table of the source schema equals its tenant copy (the configured columns aside); returns the rows compared. */
export async function expectTenantEqualsSource(sourceUrl: string, tenantUrl: string, schema = 'crm7'): Promise<number> {
  const [before, after] = await Promise.all([
    fingerprintSchema(sourceUrl, schema, CONFIGURED_COLUMNS),
    fingerprintSchema(tenantUrl, schema, CONFIGURED_COLUMNS),
  ]);
  expect(before.size).toBeGreaterThan(10);
  expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));
  return [...before.values()].reduce((n, fp) => n + fp.rows, 0);
}
