import type { PoolClient } from 'pg';
import type { Column, IndexDefinition, TableSchema } from '@omt/contracts';
import {
  createIndexPgSql,
  createTablePgSql,
  declaredAsConstraint,
  identityExpressible,
  setDefaultPgSql,
  tableWords,
  tenantIdentifier,
} from '@omt/copy-text';
import { checkOut, type TenantTarget } from '../tenants/tenant-database';
import { describeDefault } from '../tenants/structure-build';
import { readCatalogTable, tableOid, type CatalogColumn, type CatalogIndex, type CatalogTable } from './tenant-catalog';

/**
 * Compares a tenant table's structure, read from PostgreSQL's catalog, with
 * what the source declared: columns in order with type, nullability,
 * default and identity; the primary key; every index and unique constraint
 * by shape, not by name (keys with direction and function, included
 * columns, uniqueness, filter, constraint or bare index), extra indexes and
 * constraints included. Empty means the structure is the source's.
 *
 * Structure (names, directions, uniqueness, identity) is expected straight
 * from the declaration. What PostgreSQL prints in its own words (a type, a
 * default, a function key, a filter) is expected as PostgreSQL prints the
 * declared thing: the declaration is built on a scratch temporary table in
 * the same database and read back through the same catalog queries, so
 * `'0'::smallint` and `0` or `varchar(5)` and `character varying(5)` never
 * differ by spelling alone. The scratch table goes with the transaction's
 * rollback.
 */
export async function verifyTableStructure(tenant: TenantTarget, table: TableSchema): Promise<string[]> {
  const { client, release } = await checkOut(tenant.pool);
  let broken = true;
  try {
    await client.query('BEGIN');
    const oid = await tableOid(client, tenant.schema, tenantIdentifier(table.name));
    const differences =
      oid === null
        ? [`${capital(tableWords(table.name))} is missing in the tenant.`]
        : compareStructure(table, await readCatalogTable(client, oid), await expectedWording(client, table));
    await client.query('ROLLBACK');
    broken = false;
    return differences;
  } finally {
    release(broken);
  }
}

/** PostgreSQL's wording of what the table declares, from a scratch copy of the declaration. */
interface Wording {
  table: CatalogTable;
  /** Source index name → the scratch index built from it; absent when PostgreSQL refused it (with why). */
  indexes: Map<string, CatalogIndex | { refused: string }>;
}

const SCRATCH_INDEX = (i: number) => `omt_expected_${i}`;

async function expectedWording(client: PoolClient, table: TableSchema): Promise<Wording> {
  await client.query(createTablePgSql('pg_temp', table, { primaryKey: false, defaults: false }));
  // The same defaults the build sets, each on its own: one PostgreSQL refuses is expected absent.
  for (const column of table.columns) {
    const sql = setDefaultPgSql('pg_temp', table, column);
    if (sql) await refusable(client, sql);
  }
  const refused = new Map<string, string>();
  for (const [i, index] of (table.indexes ?? []).entries()) {
    const why = await refusable(client, createIndexPgSql('pg_temp', table, index, SCRATCH_INDEX(i)));
    if (why) refused.set(index.name, why);
  }
  const oid = await tableOid(client, null, tenantIdentifier(table.name));
  const scratch = await readCatalogTable(client, oid!);
  const indexes = new Map<string, CatalogIndex | { refused: string }>();
  for (const [i, index] of (table.indexes ?? []).entries()) {
    const built = scratch.indexes.find((x) => x.name === SCRATCH_INDEX(i));
    indexes.set(index.name, built ?? { refused: refused.get(index.name) ?? 'not built' });
  }
  return { table: scratch, indexes };
}

/** Runs one statement in a savepoint; PostgreSQL's refusal is returned, not thrown. */
async function refusable(client: PoolClient, sql: string): Promise<string | null> {
  await client.query('SAVEPOINT omt_expected');
  try {
    await client.query(sql);
    await client.query('RELEASE SAVEPOINT omt_expected');
    return null;
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT omt_expected');
    return (error as Error).message;
  }
}

/** What an index is, in the words the messages use and the key shapes are matched on. */
interface IndexShape {
  unique: boolean;
  constraint: boolean;
  keys: { column: string | null; expression: string | null; descending: boolean; nullsFirst: boolean }[];
  include: string[];
  predicate: string | null;
}

function shapeOf(index: CatalogIndex): IndexShape {
  return { unique: index.unique, constraint: index.constraint, keys: index.keys, include: index.include, predicate: index.predicate };
}

function expectedShape(index: IndexDefinition, scratch: CatalogIndex): IndexShape {
  return {
    unique: index.unique,
    constraint: declaredAsConstraint(index),
    keys: index.keys.map((k, p) => ({
      column: k.function ? null : tenantIdentifier(k.column),
      expression: k.function ? (scratch.keys[p]?.expression ?? null) : null,
      descending: k.descending,
      // PostgreSQL's default order: nulls last ascending, first descending.
      nullsFirst: k.descending,
    })),
    include: index.include.map(tenantIdentifier),
    predicate: index.filter.length > 0 ? scratch.predicate : null,
  };
}

const key = (shape: IndexShape) => JSON.stringify(shape);

function describeShape(shape: IndexShape): string {
  const keys = shape.keys
    .map((k) => `${k.column ?? k.expression}${k.descending ? ' DESC' : ''}${k.nullsFirst !== k.descending ? (k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : ''}`)
    .join(', ');
  const include = shape.include.length > 0 ? ` INCLUDE (${shape.include.join(', ')})` : '';
  const where = shape.predicate ? ` WHERE ${shape.predicate}` : '';
  return `(${keys})${include}${where}`;
}

function kindOf(shape: IndexShape): string {
  return shape.constraint ? 'unique constraint' : shape.unique ? 'unique index' : 'index';
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The differences between what the table declares and what the tenant's catalog holds, in words. */
export function compareStructure(table: TableSchema, actual: CatalogTable, wording: Wording): string[] {
  const of = tableWords(table.name);
  return [
    ...compareColumns(table, actual.columns, wording.table.columns, of),
    ...comparePrimaryKey(table, actual.indexes, of),
    ...compareIndexes(table, actual.indexes, wording.indexes, of),
    ...actual.otherConstraints.map((c) => `Constraint ${c} of ${of} is in the tenant but not declared at the source.`),
  ];
}

function compareColumns(table: TableSchema, actual: CatalogColumn[], scratch: CatalogColumn[], of: string): string[] {
  const differences: string[] = [];
  const declared = table.columns.map((c) => tenantIdentifier(c.name));
  const present = actual.map((c) => c.name);
  for (const name of present.filter((n) => !declared.includes(n)))
    differences.push(`Column "${name}" of ${of} is in the tenant but not declared at the source.`);
  const common = declared.filter((n) => present.includes(n));
  const order = present.filter((n) => declared.includes(n));
  if (common.join('\u0000') !== order.join('\u0000'))
    differences.push(`The columns of ${of} are in another order in the tenant: (${order.join(', ')}) instead of (${common.join(', ')}).`);
  for (const column of table.columns) {
    const name = tenantIdentifier(column.name);
    const got = actual.find((c) => c.name === name);
    const want = scratch.find((c) => c.name === name)!;
    const words = `Column "${column.name}" of ${of}`;
    if (!got) {
      differences.push(`${words} is missing in the tenant.`);
      continue;
    }
    if (got.type !== want.type) differences.push(`${words} is ${got.type} in the tenant instead of ${want.type}.`);
    const notNull = !column.nullable || identityExpressible(column) || table.primaryKey.includes(column.name);
    if (got.notNull !== notNull)
      differences.push(`${words} is ${got.notNull ? 'NOT NULL' : 'nullable'} in the tenant but ${notNull ? 'NOT NULL' : 'nullable'} at the source.`);
    if (got.default !== want.default) differences.push(defaultDifference(words, column, got.default, want.default));
    differences.push(...identityDifferences(words, column, got));
  }
  return differences;
}

function defaultDifference(words: string, column: Column, got: string | null, want: string | null): string {
  if (want === null) return `${words} has the default ${got} in the tenant, which the source does not declare.`;
  const declared = `the source declares ${describeDefault(column)} (${want})`;
  return got === null ? `${words} has no default in the tenant; ${declared}.` : `${words} has the default ${got} in the tenant; ${declared}.`;
}

function identityDifferences(words: string, column: Column, got: CatalogColumn): string[] {
  if (!identityExpressible(column))
    return got.identity ? [`${words} is an identity column in the tenant but not at the source.`] : [];
  const want = column.identity!;
  if (!got.identity) return [`${words} is not an identity column in the tenant; the source numbers it.`];
  const differences: string[] = [];
  const { generation, start, increment, next } = got.identity;
  if (generation !== want.generation)
    differences.push(`${words} is GENERATED ${generation === 'always' ? 'ALWAYS' : 'BY DEFAULT'} in the tenant, not as at the source.`);
  if (start !== BigInt(want.start) || increment !== BigInt(want.increment))
    differences.push(`${words} is numbered from ${start} by ${increment} in the tenant, from ${want.start} by ${want.increment} at the source.`);
  if (want.next !== null) {
    const wanted = BigInt(want.next);
    // The tenant may be ahead (a value already taken), never behind: behind, the next insert would repeat a source value.
    const behind = BigInt(want.increment) > 0n ? next < wanted : next > wanted;
    if (behind) differences.push(`${words} would next be numbered ${next} in the tenant; the source is at ${wanted}.`);
  }
  return differences;
}

function comparePrimaryKey(table: TableSchema, actual: CatalogIndex[], of: string): string[] {
  const got = actual.find((i) => i.primary);
  const want = table.primaryKey.map(tenantIdentifier);
  if (want.length === 0) return got ? [`${capital(of)} has a primary key (${got.keys.map((k) => k.column).join(', ')}) in the tenant but none at the source.`] : [];
  if (!got) return [`The primary key (${want.join(', ')}) of ${of} is missing in the tenant.`];
  const plain = got.keys.every((k) => k.column !== null && !k.descending) && got.include.length === 0 && got.predicate === null;
  const columns = got.keys.map((k) => k.column ?? k.expression);
  if (!plain || columns.join('\u0000') !== want.join('\u0000'))
    return [`The primary key of ${of} is ${describeShape(shapeOf(got))} in the tenant instead of (${want.join(', ')}).`];
  return [];
}

function compareIndexes(
  table: TableSchema,
  actual: CatalogIndex[],
  scratch: Map<string, CatalogIndex | { refused: string }>,
  of: string,
): string[] {
  const differences: string[] = [];
  const unmatched = actual.filter((i) => !i.primary);
  for (const index of table.indexes ?? []) {
    const built = scratch.get(index.name)!;
    if ('refused' in built) {
      differences.push(`Index "${index.name}" of ${of} cannot be expressed in PostgreSQL: ${built.refused}.`);
      continue;
    }
    const want = expectedShape(index, built);
    const at = unmatched.findIndex((i) => key(shapeOf(i)) === key(want));
    if (at >= 0) {
      unmatched.splice(at, 1);
      continue;
    }
    differences.push(`${capital(kindOf(want))} "${index.name}" ${describeShape(want)} of ${of} is missing in the tenant.`);
  }
  for (const extra of unmatched) {
    const shape = shapeOf(extra);
    differences.push(`${capital(kindOf(shape))} "${extra.name}" ${describeShape(shape)} of ${of} is in the tenant but not declared at the source.`);
  }
  return differences;
}
