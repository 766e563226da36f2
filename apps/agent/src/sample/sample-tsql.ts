import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Column, ColumnType, IndexDefinition, TableSchema } from '@omt/contracts';
import { encodeCopyValue } from '../source/copy-text';
import { mssqlColumnType } from '../source/mssql-types';
import { qualifiedMssql, quoteMssql } from '../source/sql-identifiers';
import type { SampleDatabase, SampleTable } from './sample-generator';

// SQL Server accepts at most 1000 rows in one VALUES list.
const ROWS_PER_INSERT = 1000;

/** A value as a T-SQL literal. Text goes through the COPY encoder's canonical forms where SQL Server reads them too. */
export function tsqlLiteral(type: ColumnType, value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  switch (type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
    case 'decimal':
      return encodeCopyValue(type, value);
    case 'float32':
    case 'float64': {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new Error(`SQL Server floats cannot hold ${n}`);
      return n.toExponential();
    }
    case 'boolean':
      return value ? '1' : '0';
    case 'text':
    case 'uuid':
      return `N'${String(value).replace(/'/g, "''")}'`;
    case 'binary':
      return `0x${Buffer.from(value as Uint8Array).toString('hex')}`;
    case 'date':
    case 'time':
      return `'${encodeCopyValue(type, value)}'`;
    case 'timestamp':
      return `'${encodeCopyValue(type, value).replace(' ', 'T')}'`;
    case 'timestamptz':
      return `'${encodeCopyValue(type, value).replace(' ', 'T').replace(/\+00$/, '+00:00')}'`;
  }
}

/**
 * A column's default constraint as SQL Server stores it in
 * sys.default_constraints (`((0))`, `(N'')`, `(getdate())`), which is the
 * text the agent's SQL Server reader translates back.
 */
export function tsqlDefault(column: Column): string | null {
  const fallback = column.default;
  if (!fallback) return null;
  switch (fallback.kind) {
    case 'now':
      return '(getdate())';
    case 'utcNow':
      return '(getutcdate())';
    case 'today':
      return '(CONVERT([date],getdate()))';
    case 'uuid':
      return '(newid())';
    case 'literal':
      switch (column.type.kind) {
        case 'int16':
        case 'int32':
        case 'int64':
        case 'decimal':
        case 'float32':
        case 'float64':
          return `((${fallback.value}))`;
        case 'boolean':
          return fallback.value === 't' ? '((1))' : '((0))';
        case 'text':
          return `(N'${fallback.value.replace(/'/g, "''")}')`;
        default:
          return `('${fallback.value.replace(/'/g, "''")}')`;
      }
  }
}

/** A default constraint's name: SQL Server's are per schema, so the table is part of it. */
export function tsqlDefaultName(table: string, column: string): string {
  return `DF_${table}_${column}`;
}

export function tsqlColumn(table: TableSchema, column: Column): string {
  const identity = column.identity ? ` IDENTITY(${column.identity.start},${column.identity.increment})` : '';
  const fallback = tsqlDefault(column);
  const constraint = fallback ? ` CONSTRAINT ${quoteMssql(tsqlDefaultName(table.name, column.name))} DEFAULT ${fallback}` : '';
  return `${quoteMssql(column.name)} ${mssqlColumnType(column.type)}${identity} ${column.nullable ? 'NULL' : 'NOT NULL'}${constraint}`;
}

/** An index or unique constraint, built after the rows are in (one build instead of upkeep per insert). */
export function tsqlIndex(schema: string, table: TableSchema, index: IndexDefinition): string {
  const target = qualifiedMssql(schema, table.name);
  const keys = index.keys.map((k) => `${quoteMssql(k.column)}${k.descending ? ' DESC' : ''}`).join(', ');
  const include = index.include.length > 0 ? ` INCLUDE (${index.include.map(quoteMssql).join(', ')})` : '';
  if (index.constraint) return `ALTER TABLE ${target} ADD CONSTRAINT ${quoteMssql(index.name)} UNIQUE NONCLUSTERED (${keys});`;
  if (index.filter.length > 0 || index.keys.some((k) => k.function)) {
    throw new Error(`index "${index.name}" of ${table.name}: the sample's T-SQL writes plain and descending keys only`);
  }
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}NONCLUSTERED INDEX ${quoteMssql(index.name)} ON ${target} (${keys})${include};`;
}

function* tableScript(schema: string, table: SampleTable, counter: { rows: number }): Iterable<string> {
  const columns = table.schema.columns;
  const target = qualifiedMssql(schema, table.schema.name);
  const defs = columns.map((c) => `  ${tsqlColumn(table.schema, c)}`);
  if (table.schema.primaryKey.length > 0) defs.push(`  PRIMARY KEY (${table.schema.primaryKey.map(quoteMssql).join(', ')})`);
  yield `CREATE TABLE ${target} (\n${defs.join(',\n')}\n);\nGO\n`;
  // An IDENTITY column takes the sample's own ids only with IDENTITY_INSERT; SQL Server then numbers on from the largest.
  const identity = columns.some((c) => c.identity);
  if (identity) yield `SET IDENTITY_INSERT ${target} ON;\n`;
  const head = `INSERT INTO ${target} (${columns.map((c) => quoteMssql(c.name)).join(', ')}) VALUES\n`;
  let values: string[] = [];
  for (const row of table.rows()) {
    values.push(`(${columns.map((c) => tsqlLiteral(c.type, row[c.name])).join(', ')})`);
    counter.rows++;
    if (values.length === ROWS_PER_INSERT) {
      yield head + values.join(',\n') + ';\n';
      values = [];
    }
  }
  if (values.length > 0) yield head + values.join(',\n') + ';\n';
  if (identity) yield `SET IDENTITY_INSERT ${target} OFF;\n`;
  for (const index of table.schema.indexes ?? []) yield `${tsqlIndex(schema, table.schema, index)}\n`;
  yield 'GO\n';
}

/** Writes the sample as one T-SQL script (schema, tables with their defaults and identity, rows, indexes) for SQL Server; returns the number of rows. */
export async function writeSampleTsql(sample: SampleDatabase, file: string): Promise<number> {
  const counter = { rows: 0 };
  const schema = sample.schema;
  function* script(): Iterable<string> {
    yield `-- omt sample onsite CRM. Run with sqlcmd against an empty database.\nSET NOCOUNT ON;\nGO\n`;
    yield `IF SCHEMA_ID(N'${schema.replace(/'/g, "''")}') IS NULL EXEC(N'CREATE SCHEMA ${quoteMssql(schema).replace(/'/g, "''")}');\nGO\n`;
    for (const table of sample.tables) yield* tableScript(schema, table, counter);
  }
  await pipeline(Readable.from(script()), createWriteStream(file));
  return counter.rows;
}
