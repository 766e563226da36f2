import type { TableSchema } from '@omt/contracts';
import type { RowQuery } from './source-connector';
import { mssqlSelectExpression } from './mssql-types';
import { qualifiedMssql, quoteMssql } from './sql-identifiers';

/** Catalog SQL for SQL Server. The schema is always the parameter @schema, never text in the query. */
/**
 * Columns with their default constraint, identity and computed definition.
 * sys.identity_columns' values are sql_variant; converted to text here so
 * a decimal(38,0) identity arrives exactly (the driver would make it a
 * number); the reader still accepts numbers.
 */
export const MSSQL_COLUMNS_SQL = `
SELECT t.name AS table_name, c.name AS column_name, TYPE_NAME(c.system_type_id) AS type_name,
       c.max_length, c.precision, c.scale, c.is_nullable,
       dc.name AS default_name, dc.definition AS default_definition,
       c.is_identity, CONVERT(varchar(40), idc.seed_value) AS identity_seed,
       CONVERT(varchar(40), idc.increment_value) AS identity_increment,
       CONVERT(varchar(40), idc.last_value) AS identity_last,
       c.is_computed, cc.definition AS computed_definition
FROM sys.tables t
JOIN sys.schemas s ON s.schema_id = t.schema_id
JOIN sys.columns c ON c.object_id = t.object_id
LEFT JOIN sys.default_constraints dc ON dc.object_id = c.default_object_id
LEFT JOIN sys.identity_columns idc ON idc.object_id = c.object_id AND idc.column_id = c.column_id
LEFT JOIN sys.computed_columns cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id
WHERE s.name = @schema
ORDER BY t.name, c.column_id`;

/**
 * One row per column of every index but primary keys, heaps (type 0),
 * hypothetical and disabled ones. A UNIQUE constraint is the index
 * sys.key_constraints names as its unique_index_id. Partitioning columns
 * SQL Server adds on its own (key_ordinal 0, not included) are left out.
 */
export const MSSQL_INDEXES_SQL = `
SELECT t.name AS table_name, i.name AS index_name, i.type AS index_type, i.type_desc, i.is_unique,
       CAST(CASE WHEN kc.object_id IS NULL THEN 0 ELSE 1 END AS bit) AS is_constraint,
       i.has_filter, i.filter_definition,
       c.name AS column_name, ic.key_ordinal, ic.is_descending_key, ic.is_included_column, ic.index_column_id
FROM sys.indexes i
JOIN sys.tables t ON t.object_id = i.object_id
JOIN sys.schemas s ON s.schema_id = t.schema_id
JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
LEFT JOIN sys.key_constraints kc ON kc.parent_object_id = i.object_id AND kc.unique_index_id = i.index_id AND kc.type = 'UQ'
WHERE s.name = @schema AND i.is_primary_key = 0 AND i.type <> 0 AND i.is_hypothetical = 0 AND i.is_disabled = 0
  AND (ic.key_ordinal > 0 OR ic.is_included_column = 1 OR i.type IN (5, 6))
ORDER BY t.name, i.name, ic.is_included_column, ic.key_ordinal, ic.index_column_id`;

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
