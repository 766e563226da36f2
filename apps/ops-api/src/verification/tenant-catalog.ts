import type { PoolClient } from 'pg';
import { qualifiedPg } from '@omt/copy-text';

/**
 * A table's structure as PostgreSQL's own catalog holds it (pg_attribute,
 * pg_attrdef, pg_index, pg_constraint, pg_sequence), in PostgreSQL's own
 * words (`format_type`, `pg_get_expr`, `pg_get_indexdef`): what the
 * structure verifier compares with what the source declared.
 */

export interface CatalogColumn {
  name: string;
  /** `format_type`: `character varying(20)`, `timestamp without time zone`. */
  type: string;
  notNull: boolean;
  /** `pg_get_expr` of the default; null without one. */
  default: string | null;
  /** Null when not an identity column. */
  identity: CatalogIdentity | null;
}

export interface CatalogIdentity {
  generation: 'always' | 'byDefault';
  start: bigint;
  increment: bigint;
  /** The value the next insert gets from the sequence. */
  next: bigint;
}

export interface CatalogIndexKey {
  /** The column indexed, or null for an expression. */
  column: string | null;
  /** `pg_get_indexdef` of the key when it is an expression, else null. */
  expression: string | null;
  descending: boolean;
  /** PostgreSQL's default puts nulls first exactly when descending. */
  nullsFirst: boolean;
}

export interface CatalogIndex {
  name: string;
  primary: boolean;
  unique: boolean;
  /** Backs a UNIQUE constraint (pg_constraint contype 'u'); false for a bare index. */
  constraint: boolean;
  keys: CatalogIndexKey[];
  include: string[];
  /** `pg_get_expr` of the WHERE clause; null when not partial. */
  predicate: string | null;
}

export interface CatalogTable {
  columns: CatalogColumn[];
  indexes: CatalogIndex[];
  /** Constraints other than primary key and unique (check, foreign key, exclusion), as `name: definition`. */
  otherConstraints: string[];
}

/** The oid of a table, or null when there is none; `schema` null means this session's temporary schema. */
export async function tableOid(client: PoolClient, schema: string | null, name: string): Promise<number | null> {
  const result = await client.query<{ oid: number }>(
    `SELECT c.oid FROM pg_class c
     WHERE c.relname = $2 AND c.relkind IN ('r', 'p')
       AND c.relnamespace = CASE WHEN $1::text IS NULL THEN pg_my_temp_schema()
                                 ELSE (SELECT oid FROM pg_namespace WHERE nspname = $1::text) END`,
    [schema, name],
  );
  return result.rows[0]?.oid ?? null;
}

export async function readCatalogTable(client: PoolClient, oid: number): Promise<CatalogTable> {
  return {
    columns: await readColumns(client, oid),
    indexes: await readIndexes(client, oid),
    otherConstraints: (
      await client.query<{ text: string }>(
        `SELECT conname || ': ' || pg_get_constraintdef(oid) AS text FROM pg_constraint
         WHERE conrelid = $1 AND contype NOT IN ('p', 'u') ORDER BY conname`,
        [oid],
      )
    ).rows.map((r) => r.text),
  };
}

async function readColumns(client: PoolClient, oid: number): Promise<CatalogColumn[]> {
  const rows = await client.query<{
    name: string;
    type: string;
    not_null: boolean;
    default: string | null;
    identity: string;
    seq_schema: string | null;
    seq_name: string | null;
    start: string | null;
    increment: string | null;
  }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
            pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity AS identity,
            sn.nspname AS seq_schema, sc.relname AS seq_name, s.seqstart::text AS start, s.seqincrement::text AS increment
     FROM pg_attribute a
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     -- An identity column's sequence depends on it internally ('i').
     LEFT JOIN pg_depend dep ON a.attidentity <> '' AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum
          AND dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass AND dep.deptype = 'i'
     LEFT JOIN pg_sequence s ON s.seqrelid = dep.objid
     LEFT JOIN pg_class sc ON sc.oid = s.seqrelid
     LEFT JOIN pg_namespace sn ON sn.oid = sc.relnamespace
     WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum`,
    [oid],
  );
  const columns: CatalogColumn[] = [];
  for (const r of rows.rows) {
    let identity: CatalogIdentity | null = null;
    if (r.identity !== '' && r.seq_schema !== null && r.seq_name !== null) {
      // The sequence's own row: after RESTART WITH n it holds n, not yet called.
      const state = await client.query<{ last_value: string; is_called: boolean }>(
        `SELECT last_value::text, is_called FROM ${qualifiedPg(r.seq_schema, r.seq_name)}`,
      );
      const increment = BigInt(r.increment!);
      const last = BigInt(state.rows[0]!.last_value);
      identity = {
        generation: r.identity === 'a' ? 'always' : 'byDefault',
        start: BigInt(r.start!),
        increment,
        next: state.rows[0]!.is_called ? last + increment : last,
      };
    }
    columns.push({ name: r.name, type: r.type, notNull: r.not_null, default: r.default, identity });
  }
  return columns;
}

async function readIndexes(client: PoolClient, oid: number): Promise<CatalogIndex[]> {
  const rows = await client.query<{
    name: string;
    primary: boolean;
    unique: boolean;
    constraint: boolean;
    key_count: number;
    columns: (string | null)[];
    expressions: string[];
    options: string;
    predicate: string | null;
  }>(
    `SELECT ic.relname AS name, i.indisprimary AS primary, i.indisunique AS unique,
            EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype = 'u') AS constraint,
            i.indnkeyatts AS key_count,
            ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, pos)
                  LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum <> 0
                  ORDER BY k.pos) AS columns,
            ARRAY(SELECT pg_get_indexdef(i.indexrelid, p, true) FROM generate_series(1, i.indnatts) p ORDER BY p) AS expressions,
            i.indoption::text AS options,
            pg_get_expr(i.indpred, i.indrelid, true) AS predicate
     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
     WHERE i.indrelid = $1
     ORDER BY ic.relname`,
    [oid],
  );
  return rows.rows.map((r) => {
    // indoption: one number per key column; bit 1 DESC, bit 2 NULLS FIRST.
    const options = r.options.split(' ').filter(Boolean).map(Number);
    const keys: CatalogIndexKey[] = [];
    for (let p = 0; p < r.key_count; p++) {
      const column = r.columns[p] ?? null;
      keys.push({
        column,
        expression: column === null ? (r.expressions[p] ?? null) : null,
        descending: ((options[p] ?? 0) & 1) !== 0,
        nullsFirst: ((options[p] ?? 0) & 2) !== 0,
      });
    }
    return {
      name: r.name,
      primary: r.primary,
      unique: r.unique,
      constraint: r.constraint,
      keys,
      include: r.columns.slice(r.key_count).map((c) => c ?? '(expression)'),
      predicate: r.predicate,
    };
  });
}
