import { to as copyTo } from 'pg-copy-streams';
import type { TableSchema } from '@omt/contracts';
import { TableDigest, qualifiedTenantPg, tenantColumnListPg, tenantIdentifier, type TableDigestResult } from '@omt/copy-text';
import { checkOut, type TenantDatabase, type TenantTarget } from '../tenants/tenant-database';

/**
 * Reads a tenant table back (under its tenant names) as COPY text, under the same session settings
 * the agent used, through the same order-independent digest: no ORDER BY,
 * no row held in memory.
 */
export async function digestTenantTable(tenant: TenantTarget, table: TableSchema): Promise<TableDigestResult> {
  const { client, release } = await checkOut(tenant.pool);
  let finished = false;
  try {
    const stream = client.query(
      copyTo(`COPY (SELECT ${tenantColumnListPg(table.columns)} FROM ${qualifiedTenantPg(tenant.schema, table.name)}) TO STDOUT`),
    );
    const digest = new TableDigest();
    for await (const chunk of stream as AsyncIterable<Buffer>) digest.update(chunk);
    finished = true;
    return digest.digest();
  } finally {
    // A COPY abandoned half way leaves the connection mid-protocol: discard it.
    release(!finished);
  }
}

/** A table in a message, with the name the tenant holds it under when that differs. */
function named(table: string): string {
  const tenant = tenantIdentifier(table);
  return tenant === table ? `Table "${table}"` : `Table "${table}" (stored as "${tenant}")`;
}

export type TableMismatchKind = 'missing' | 'rows' | 'hash';

export interface TableMismatch {
  table: string;
  kind: TableMismatchKind;
  expected: TableDigestResult;
  actual: TableDigestResult | null;
  /** For the ticket: what differs, in words. */
  message: string;
}

/**
 * Source digests (from the agent) against tenant digests, per table. A
 * table the agent reported that is not in the tenant is missing; row counts
 * are compared before hashes so the message says the more useful thing.
 * Tables only in the tenant are not the agent's concern and are ignored.
 */
export function compareTables(
  expected: ReadonlyMap<string, TableDigestResult> | Readonly<Record<string, TableDigestResult>>,
  actual: ReadonlyMap<string, TableDigestResult | null> | Readonly<Record<string, TableDigestResult | null>>,
): TableMismatch[] {
  const actualOf = (name: string) =>
    actual instanceof Map ? actual.get(name) : (actual as Record<string, TableDigestResult | null>)[name];
  const entries = expected instanceof Map ? [...expected.entries()] : Object.entries(expected);
  const mismatches: TableMismatch[] = [];
  for (const [table, want] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const got = actualOf(table) ?? null;
    if (!got) {
      mismatches.push({ table, kind: 'missing', expected: want, actual: null, message: `${named(table)} is missing in the tenant.` });
    } else if (got.rows !== want.rows) {
      mismatches.push({
        table,
        kind: 'rows',
        expected: want,
        actual: got,
        message: `${named(table)} has ${want.rows} rows at the source and ${got.rows} in the tenant.`,
      });
    } else if (got.hash !== want.hash) {
      mismatches.push({
        table,
        kind: 'hash',
        expected: want,
        actual: got,
        message: `${named(table)} has the same number of rows (${want.rows}) but different content (hash ${want.hash.slice(0, 12)}… at the source, ${got.hash.slice(0, 12)}… in the tenant).`,
      });
    }
  }
  return mismatches;
}

/** Digests every table the agent reported, as far as the tenant has it, and compares. Empty means verified. */
export async function verifyTenant(
  tenant: TenantDatabase,
  expected: ReadonlyMap<string, TableDigestResult> | Readonly<Record<string, TableDigestResult>>,
): Promise<TableMismatch[]> {
  const names = expected instanceof Map ? [...expected.keys()] : Object.keys(expected);
  const actual = new Map<string, TableDigestResult | null>();
  for (const name of names) {
    const schema = await tenant.tableSchema(name);
    actual.set(name, schema ? await digestTenantTable(tenant, schema) : null);
  }
  return compareTables(expected, actual);
}

/** One line for the ticket naming every table that failed verification. */
export function describeMismatches(mismatches: readonly TableMismatch[]): string {
  const names = [...new Set(mismatches.map((m) => `"${m.table}"`))].join(', ');
  return `Verification failed for ${mismatches.length === 1 ? 'table' : 'tables'} ${names}: ${mismatches.map((m) => m.message).join(' ')}`;
}
