import { Pool, types as pgTypes } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { MAX_ROW_BYTES, OmtError, type TableSchema } from '@omt/contracts';
import { COPY_SESSION_OPTIONS } from '@omt/copy-text';
import { batchCopyLines } from './copy-batcher';
import { neutralTypeFromPg } from './pg-types';
import { PG_COLUMNS_SQL, PG_INDEXES_SQL } from './pg-structure-sql';
import { pgColumnStructureOf, pgIndexesOf, pgNumberingSequence, type PgColumnRow, type PgIndexRow, type SequenceState } from './pg-structure';
import {
  DEFAULT_BATCH_LIMITS,
  heldBatches,
  type BatchLimits,
  type LandedBatch,
  type SourceBatch,
  type IntrospectedTable,
  type RowQuery,
  type SourceConnector,
  type SourceRow,
  type TableBatch,
} from './source-connector';
import { rowKeyOf } from './row-key';
import { qualifiedPg, quotePg } from './sql-identifiers';
import { systemEventSql } from './system-event-sql';

/** Re-exported for the agent's sample loader and tests; the settings live in @omt/copy-text. */
export { COPY_SESSION_OPTIONS };

const PRIMARY_KEYS_SQL = `
  SELECT c.relname AS table_name, a.attname AS column_name
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
  WHERE n.nspname = $1 AND con.contype = 'p'
  ORDER BY c.relname, k.ord`;

/** The SELECT whose COPY output is a table's batches: introspected column order, primary-key order. */
export function pgStreamSelectSql(schema: string, table: TableSchema): string {
  const columns = table.columns.map((c) => quotePg(c.name)).join(', ');
  const order = table.primaryKey.length > 0 ? ` ORDER BY ${table.primaryKey.map(quotePg).join(', ')}` : '';
  return `SELECT ${columns} FROM ${qualifiedPg(schema, table.name)}${order}`;
}

/**
 * PostgreSQL's refusal to print a row: a value whose text passes its 1 GB
 * allocation limit (a bytea over 512 MB as hex) or a line that cannot grow.
 */
export function isPgRowTooLongError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return code === '54000' || /invalid memory alloc request size|Cannot enlarge string buffer/i.test(message ?? '');
}

/**
 * The keys (at most 5) of rows whose COPY text would pass `$1` bytes, from
 * the stored sizes alone (nothing is printed: printing is what failed).
 * bytea prints as `\x` and two hex digits a byte; text as its bytes (more
 * with escapes, so this finds the clear cases); other columns are short.
 */
export function pgOversizeRowsSql(schema: string, table: TableSchema): string {
  const size = table.columns
    .map((c) => {
      const column = quotePg(c.name);
      if (c.type.kind === 'binary') return `coalesce(2 * octet_length(${column}) + 2, 2)::bigint`;
      if (c.type.kind === 'text') return `coalesce(octet_length(${column}), 2)::bigint`;
      return '64';
    })
    .join(' + ');
  const key = table.primaryKey.length > 0 ? table.primaryKey.map((k) => `${quotePg(k)}::text`).join(` || ', ' || `) : 'ctid::text';
  return `SELECT ${key} AS key FROM ${qualifiedPg(schema, table.name)} WHERE ${size || '0'} > $1 LIMIT 5`;
}

const TEMPORAL_OIDS = new Set([1082, 1083, 1114, 1184]); // date, time, timestamp, timestamptz

/**
 * node-pg turns `timestamp` into a Date in the process's local zone; catalog
 * reads keep temporal values as the ISO text the UTC session prints instead.
 */
function textTemporalParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (TEMPORAL_OIDS.has(oid)) return (value: string) => value;
  return pgTypes.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

export class PostgresSource implements SourceConnector {
  readonly dialect = 'postgres' as const;
  private readonly pool: Pool;

  constructor(
    connectionString: string,
    readonly schema: string,
  ) {
    this.pool = new Pool({ connectionString, options: COPY_SESSION_OPTIONS, max: 4, types: { getTypeParser: textTemporalParser } });
  }

  async introspect(): Promise<IntrospectedTable[]> {
    const [columns, keys, indexes] = await Promise.all([
      this.pool.query<PgColumnRow>(PG_COLUMNS_SQL, [this.schema]),
      this.pool.query<{ table_name: string; column_name: string }>(PRIMARY_KEYS_SQL, [this.schema]),
      this.pool.query<PgIndexRow>(PG_INDEXES_SQL, [this.schema]),
    ]);
    const sequences = await this.sequenceStates(columns.rows);
    const tables = new Map<string, IntrospectedTable>();
    for (const row of columns.rows) {
      let table = tables.get(row.table_name);
      if (!table) {
        table = { name: row.table_name, columns: [], primaryKey: [], indexes: [], untranslated: [] };
        tables.set(row.table_name, table);
      }
      const type = neutralTypeFromPg(row.native_type);
      const structure = pgColumnStructureOf(row, type, sequences.get(row) ?? null);
      table.columns.push({
        name: row.column_name,
        nativeType: row.native_type,
        nullable: row.nullable,
        type,
        default: structure.default,
        identity: structure.identity,
      });
      table.untranslated!.push(...structure.untranslated);
    }
    for (const row of keys.rows) tables.get(row.table_name)?.primaryKey.push(row.column_name);
    const indexRows = new Map<string, PgIndexRow[]>();
    for (const row of indexes.rows) indexRows.set(row.table_name, [...(indexRows.get(row.table_name) ?? []), row]);
    for (const table of tables.values()) {
      const columnTypes = new Map(table.columns.map((c) => [c.name, c.type]));
      const structure = pgIndexesOf(indexRows.get(table.name) ?? [], columnTypes);
      table.indexes!.push(...structure.indexes);
      table.untranslated!.push(...structure.untranslated);
    }
    return [...tables.values()];
  }

  /**
   * Where each identity or serial column's sequence stands. A sequence's
   * state is only in the sequence relation itself (pg_sequence_last_value
   * hides a restarted one), so each is read on its own, named by quoting.
   */
  private async sequenceStates(rows: readonly PgColumnRow[]): Promise<Map<PgColumnRow, SequenceState>> {
    const states = new Map<PgColumnRow, SequenceState>();
    for (const row of rows) {
      const sequence = pgNumberingSequence(row);
      if (!sequence) continue;
      const sql = `SELECT last_value::text AS last_value, is_called FROM ${qualifiedPg(sequence.schema, sequence.name)}`;
      const result = await this.pool.query<SequenceState>(sql);
      if (result.rows[0]) states.set(row, result.rows[0]);
    }
    return states;
  }

  async countRows(table: string): Promise<number> {
    const result = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualifiedPg(this.schema, table)}`);
    return Number(result.rows[0]?.n ?? 0);
  }

  streamTable(table: TableSchema, limits: BatchLimits = DEFAULT_BATCH_LIMITS): AsyncGenerator<TableBatch> {
    return heldBatches(this.streamBatches(table, limits));
  }

  async *streamBatches(table: TableSchema, limits: BatchLimits, landed: readonly LandedBatch[] = []): AsyncGenerator<SourceBatch> {
    const client = await this.pool.connect();
    let finished = false;
    try {
      const stream = client.query(copyTo(`COPY (${pgStreamSelectSql(this.schema, table)}) TO STDOUT`));
      yield* batchCopyLines(table.name, stream, limits, { landed, key: rowKeyOf(table) });
      finished = true;
    } catch (error) {
      if (isPgRowTooLongError(error)) throw await this.rowTooLong(table, error);
      throw error;
    } finally {
      // A COPY abandoned half way leaves the connection mid-protocol: discard it.
      client.release(finished ? undefined : true);
    }
  }

  /** ROW_TOO_LARGE naming the rows PostgreSQL could not print, or the server's own error when none is found. */
  private async rowTooLong(table: TableSchema, error: unknown): Promise<unknown> {
    const found = await this.pool
      .query<{ key: string }>(pgOversizeRowsSql(this.schema, table), [MAX_ROW_BYTES])
      .catch(() => ({ rows: [] as { key: string }[] }));
    if (found.rows.length === 0) return error;
    const named = table.primaryKey.length > 0 ? table.primaryKey.join(', ') : 'ctid';
    const keys = found.rows.map((r) => `${named} = ${r.key}`);
    return new OmtError(
      'ROW_TOO_LARGE',
      `Table ${table.name}: the row with ${keys.join('; the row with ')} is longer than ${MAX_ROW_BYTES} bytes of COPY text, more than PostgreSQL can print or load in one row. ` +
        'Shorten or remove its largest value at the source, then run the migration again.',
      keys.map((message) => ({ path: table.name, message })),
    );
  }

  async selectRows(query: RowQuery): Promise<SourceRow[]> {
    const columns = query.columns.map(quotePg).join(', ');
    let sql = `SELECT ${columns} FROM ${qualifiedPg(this.schema, query.table)}`;
    const params: unknown[] = [];
    if (query.where) {
      sql += ` WHERE ${quotePg(query.where.column)} ${query.where.op === '=' ? '=' : '<>'} $1`;
      params.push(query.where.value);
    }
    const result = await this.pool.query(sql, params);
    return result.rows as SourceRow[];
  }

  async setSystemEvent(eventkey: string, eventmess: string): Promise<void> {
    await this.pool.query(systemEventSql('postgres', this.schema).set, [eventkey, eventmess]);
  }

  async clearSystemEvent(eventkey: string): Promise<void> {
    await this.pool.query(systemEventSql('postgres', this.schema).clear, [eventkey]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
