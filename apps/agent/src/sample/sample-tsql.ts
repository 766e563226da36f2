import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ColumnType } from '@omt/contracts';
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

function* tableScript(schema: string, table: SampleTable, counter: { rows: number }): Iterable<string> {
  const columns = table.schema.columns;
  const defs = columns.map((c) => `  ${quoteMssql(c.name)} ${mssqlColumnType(c.type)} ${c.nullable ? 'NULL' : 'NOT NULL'}`);
  if (table.schema.primaryKey.length > 0) defs.push(`  PRIMARY KEY (${table.schema.primaryKey.map(quoteMssql).join(', ')})`);
  yield `CREATE TABLE ${qualifiedMssql(schema, table.schema.name)} (\n${defs.join(',\n')}\n);\nGO\n`;
  const head = `INSERT INTO ${qualifiedMssql(schema, table.schema.name)} (${columns.map((c) => quoteMssql(c.name)).join(', ')}) VALUES\n`;
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
  yield 'GO\n';
}

/** Writes the sample as one T-SQL script (schema, tables, rows) for SQL Server; returns the number of rows. */
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
