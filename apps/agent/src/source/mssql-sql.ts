import type { TableSchema } from '@omt/contracts';
import type { RowQuery } from './source-connector';
import { mssqlSelectExpression } from './mssql-types';
import { qualifiedMssql, quoteMssql } from './sql-identifiers';

/** Catalog SQL for SQL Server. The schema is always the parameter @schema, never text in the query. */
export const MSSQL_COLUMNS_SQL = `
SELECT t.name AS table_name, c.name AS column_name, TYPE_NAME(c.system_type_id) AS type_name,
       c.max_length, c.precision, c.scale, c.is_nullable
FROM sys.tables t
JOIN sys.schemas s ON s.schema_id = t.schema_id
JOIN sys.columns c ON c.object_id = t.object_id
WHERE s.name = @schema
ORDER BY t.name, c.column_id`;

export const MSSQL_PRIMARY_KEYS_SQL = `
SELECT t.name AS table_name, c.name AS column_name
FROM sys.indexes i
JOIN sys.tables t ON t.object_id = i.object_id
JOIN sys.schemas s ON s.schema_id = t.schema_id
JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
WHERE s.name = @schema AND i.is_primary_key = 1
ORDER BY t.name, ic.key_ordinal`;

export function mssqlCountSql(schema: string, table: string): string {
  return `SELECT COUNT_BIG(*) AS n FROM ${qualifiedMssql(schema, table)}`;
}

/** Streams in key order; without a key, one pass in whatever order the server reads. */
export function mssqlStreamSql(schema: string, table: TableSchema, nativeTypes: Record<string, string> = {}): string {
  const columns = table.columns.map((c) => mssqlSelectExpression(c, nativeTypes[c.name])).join(', ');
  const order = table.primaryKey.length > 0 ? ` ORDER BY ${table.primaryKey.map(quoteMssql).join(', ')}` : '';
  return `SELECT ${columns} FROM ${qualifiedMssql(schema, table.name)}${order}`;
}

/** The value of the filter travels as the parameter @value. */
export function mssqlSelectRowsSql(schema: string, query: RowQuery): string {
  const columns = query.columns.map(quoteMssql).join(', ');
  const where = query.where ? ` WHERE ${quoteMssql(query.where.column)} ${query.where.op === '=' ? '=' : '<>'} @value` : '';
  return `SELECT ${columns} FROM ${qualifiedMssql(schema, query.table)}${where}`;
}
