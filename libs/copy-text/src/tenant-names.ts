import { createHash } from 'node:crypto';
import { OmtError, type ErrorDetail } from '@omt/contracts';

/**
 * SQL Server allows 128-character names; PostgreSQL keeps the first 63 bytes
 * (NAMEDATALEN - 1, counted in the server encoding, UTF-8 for a tenant) and
 * silently drops the rest, so two long names sharing a prefix would land on
 * one table. Every name the tenant gets goes through `tenantIdentifier`:
 * unchanged when it fits, otherwise a prefix cut at a character boundary and
 * a hash of the whole name, so the mapping is deterministic (the agent, the
 * API and the worker compute the same name without talking to each other)
 * and distinct names stay distinct unless their hashes collide, which the
 * collision check below still refuses.
 *
 * Names are never case folded: every identifier is quoted, so `Person` and
 * `person` are two tables in the tenant as they are in a case-sensitive source.
 */
export const PG_IDENTIFIER_MAX_BYTES = 63;
const HASH_HEX_CHARS = 8;
/** 54 + `_` + 8 hex = 63 bytes. */
const PREFIX_MAX_BYTES = PG_IDENTIFIER_MAX_BYTES - 1 - HASH_HEX_CHARS;

export function tenantIdentifier(name: string): string {
  if (Buffer.byteLength(name, 'utf8') <= PG_IDENTIFIER_MAX_BYTES) return name;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, HASH_HEX_CHARS);
  return `${utf8Prefix(name, PREFIX_MAX_BYTES)}_${hash}`;
}

/** The longest prefix of whole characters (code points) that fits in `maxBytes` of UTF-8. */
function utf8Prefix(name: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of name) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return name.slice(0, end);
}

/**
 * The primary key's constraint (and index) name, given explicitly: left to
 * PostgreSQL it would be `<table>_pkey` cut at 63 bytes, or another name when
 * that one is taken, so it could not be predicted or checked.
 */
export function tenantPrimaryKeyName(tableName: string): string {
  return tenantIdentifier(`${tenantIdentifier(tableName)}_pkey`);
}

/** A source column whose name the tenant holds differently. */
export interface RenamedColumn {
  source: string;
  tenant: string;
}

export function renamedColumns(columns: readonly { name: string }[]): RenamedColumn[] {
  return columns.flatMap((c) => {
    const tenant = tenantIdentifier(c.name);
    return tenant === c.name ? [] : [{ source: c.name, tenant }];
  });
}

/** What the collision check needs of a table: its columns and key when known (the upload start knows only names). */
export interface NamedTable {
  name: string;
  columns?: readonly { name: string }[];
  primaryKey?: readonly string[];
}

export interface TenantNameCollision {
  /** The one tenant name two or more source names would share. */
  tenantName: string;
  /** The source objects, in words: `table "…"`, `the primary key of table "…"`, `column "…" of table "…"`. */
  sources: string[];
  /** Where the clash is: `tables` for relations, `tables.<name>.columns` for columns. */
  path: string;
}

/**
 * Every tenant name more than one source object would get. Tables and their
 * primary key indexes share one namespace in PostgreSQL (pg_class of the
 * schema), so table `a` with a key and a table named `a_pkey` clash too;
 * columns clash within their table.
 */
export function tenantNameCollisions(tables: readonly NamedTable[]): TenantNameCollision[] {
  const collisions: TenantNameCollision[] = [];
  const relations = new Map<string, Set<string>>();
  const claim = (names: Map<string, Set<string>>, tenant: string, source: string) => {
    const owners = names.get(tenant) ?? new Set<string>();
    owners.add(source);
    names.set(tenant, owners);
  };
  for (const table of tables) {
    claim(relations, tenantIdentifier(table.name), `table "${table.name}"`);
    if (table.primaryKey && table.primaryKey.length > 0) {
      claim(relations, tenantPrimaryKeyName(table.name), `the primary key of table "${table.name}"`);
    }
    const columns = new Map<string, Set<string>>();
    for (const column of table.columns ?? [])
      claim(columns, tenantIdentifier(column.name), `column "${column.name}" of table "${table.name}"`);
    for (const [tenantName, owners] of columns) {
      if (owners.size > 1) collisions.push({ tenantName, sources: [...owners], path: `tables.${table.name}.columns` });
    }
  }
  for (const [tenantName, owners] of relations) {
    if (owners.size > 1) collisions.push({ tenantName, sources: [...owners], path: 'tables' });
  }
  return collisions;
}

/** One sentence per collision, naming the sources and the name they would share. */
export function describeCollision(collision: TenantNameCollision): string {
  const all = collision.sources.length === 2 ? 'both' : 'all';
  return `${collision.sources.join(' and ')} would ${all} be stored as "${collision.tenantName}" in the tenant`;
}

/** The error for collisions (NAME_COLLISION, 422), or null when there are none. */
export function nameCollisionError(collisions: readonly TenantNameCollision[]): OmtError | null {
  if (collisions.length === 0) return null;
  const details: ErrorDetail[] = collisions.map((c) => ({ path: c.path, message: describeCollision(c) }));
  const shown = collisions.slice(0, 5).map(describeCollision).join('; ');
  const more = collisions.length > 5 ? `; and ${collisions.length - 5} more` : '';
  return new OmtError(
    'NAME_COLLISION',
    `PostgreSQL cannot hold these names apart: ${shown}${more}. Rename one of them at the source before the upload.`,
    details,
  );
}

export function assertNoTenantNameCollision(tables: readonly NamedTable[]): void {
  const error = nameCollisionError(tenantNameCollisions(tables));
  if (error) throw error;
}
