import sql from 'mssql';
import type { TableSchema } from '@omt/contracts';
import { MSSQL_COLUMNS_SQL, MSSQL_INDEXES_SQL, MSSQL_PRIMARY_KEYS_SQL, mssqlCountSql, mssqlSelectRowsSql, mssqlStreamSql } from './mssql-sql';
import { mssqlTablesOf } from './mssql-structure';
import { batchEncodedRows, rowsFromEmitter, type PausableRowEmitter } from './row-batcher';
import { rowKeyOf } from './row-key';
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
import type { SourceLocation } from './source-url';
import { systemEventSql } from './system-event-sql';

export function mssqlConfig(location: SourceLocation): sql.config {
  const flag = (name: string, fallback: boolean) =>
    location.params[name] === undefined ? fallback : /^(1|true|yes)$/i.test(location.params[name]!);
  return {
    server: location.host,
    port: location.port,
    database: location.database,
    user: location.user,
    password: location.password,
    requestTimeout: 0,
    pool: { max: 4 },
    options: {
      // Onsite servers mostly have self-signed certificates; encryption stays on unless turned off.
      encrypt: flag('encrypt', true),
      trustServerCertificate: flag('trustServerCertificate', true),
      useUTC: true,
    },
  };
}

export class MssqlSource implements SourceConnector {
  readonly dialect = 'mssql' as const;
  readonly schema: string;
  private readonly pool: sql.ConnectionPool;
  private connecting: Promise<sql.ConnectionPool> | null = null;
  private nativeTypes = new Map<string, Record<string, string>>();

  constructor(location: SourceLocation) {
    this.schema = location.schema;
    this.pool = new sql.ConnectionPool(mssqlConfig(location));
  }

  private connected(): Promise<sql.ConnectionPool> {
    this.connecting ??= this.pool.connect();
    return this.connecting;
  }

  async introspect(): Promise<IntrospectedTable[]> {
    const pool = await this.connected();
    const query = (text: string) => pool.request().input('schema', sql.NVarChar, this.schema).query(text);
    const [columns, keys, indexes] = await Promise.all([query(MSSQL_COLUMNS_SQL), query(MSSQL_PRIMARY_KEYS_SQL), query(MSSQL_INDEXES_SQL)]);
    const tables = mssqlTablesOf(columns.recordset, keys.recordset, indexes.recordset);
    for (const table of tables) {
      this.nativeTypes.set(table.name, Object.fromEntries(table.columns.map((c) => [c.name, c.nativeType])));
    }
    return tables;
  }

  async countRows(table: string): Promise<number> {
    const pool = await this.connected();
    const result = await pool.request().query(mssqlCountSql(this.schema, table));
    return Number(result.recordset[0]?.n ?? 0);
  }

  streamTable(table: TableSchema, limits: BatchLimits = DEFAULT_BATCH_LIMITS): AsyncGenerator<TableBatch> {
    return heldBatches(this.streamBatches(table, limits));
  }

  async *streamBatches(table: TableSchema, limits: BatchLimits, landed: readonly LandedBatch[] = []): AsyncGenerator<SourceBatch> {
    const pool = await this.connected();
    const request = pool.request();
    request.stream = true;
    request.arrayRowMode = true;
    const rows = rowsFromEmitter(request as unknown as PausableRowEmitter, Math.min(limits.maxRows, 1000));
    // In stream mode failures arrive as the request's error event, which the row iterator rethrows.
    request.query(mssqlStreamSql(this.schema, table, this.nativeTypes.get(table.name))).catch(() => undefined);
    let finished = false;
    try {
      yield* batchEncodedRows(table.name, table.columns.map((c) => c.type), rows, limits, { landed, key: rowKeyOf(table) });
      finished = true;
    } finally {
      if (!finished) request.cancel();
    }
  }

  async selectRows(query: RowQuery): Promise<SourceRow[]> {
    const pool = await this.connected();
    const request = pool.request();
    if (query.where) request.input('value', query.where.value);
    const result = await request.query(mssqlSelectRowsSql(this.schema, query));
    return result.recordset as SourceRow[];
  }

  async setSystemEvent(eventkey: string, eventmess: string): Promise<void> {
    const pool = await this.connected();
    await pool.request().input('key', eventkey).input('message', eventmess).query(systemEventSql('mssql', this.schema).set);
  }

  async clearSystemEvent(eventkey: string): Promise<void> {
    const pool = await this.connected();
    await pool.request().input('key', eventkey).query(systemEventSql('mssql', this.schema).clear);
  }

  async close(): Promise<void> {
    if (this.connecting) await this.pool.close();
  }
}
