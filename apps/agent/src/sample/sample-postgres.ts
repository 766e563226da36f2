import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { encodeCopyLine } from '../source/copy-text';
import { createIndexPgSql } from '@omt/copy-text';
import type { TableSchema } from '@omt/contracts';
import { createTablePgSql } from '../source/pg-ddl';
import { COPY_SESSION_OPTIONS } from '../source/postgres-source';
import { quotePg, qualifiedPg } from '../source/sql-identifiers';
import type { SampleDatabase, SampleTable } from './sample-generator';

const CHUNK_CHARS = 256 * 1024;

/** COPY text of a table's rows in chunks, produced only as fast as COPY takes them. */
export function* copyTextChunks(table: SampleTable): Iterable<string> {
  const types = table.schema.columns.map((c) => c.type);
  const names = table.schema.columns.map((c) => c.name);
  let chunk = '';
  for (const row of table.rows()) {
    chunk += encodeCopyLine(types, names.map((n) => row[n] ?? null));
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/**
 * After the load, as an administrator restoring a dump would: the table's
 * indexes and unique constraints (one build each instead of row-by-row
 * upkeep during COPY), then each identity column's sequence moved past the
 * ids COPY wrote (COPY writes the given values into an identity column and
 * leaves its sequence alone), as SQL Server's IDENTITY_INSERT does by itself.
 */
export function postLoadSql(schema: string, table: TableSchema): string[] {
  const statements = (table.indexes ?? []).map((index) => createIndexPgSql(schema, table, index, index.name));
  for (const column of table.columns.filter((c) => c.identity)) {
    const target = qualifiedPg(schema, table.name);
    const literal = `'${target.replace(/'/g, "''")}'`;
    const name = `'${column.name.replace(/'/g, "''")}'`;
    statements.push(
      `SELECT setval(pg_get_serial_sequence(${literal}, ${name}), max(${quotePg(column.name)})) FROM ${target} HAVING max(${quotePg(column.name)}) IS NOT NULL`,
    );
  }
  return statements;
}

/** Replaces the schema in the target database with the sample's tables, loaded with COPY, then indexed. */
export async function loadSampleIntoPostgres(sample: SampleDatabase, url: string): Promise<Record<string, number>> {
  const client = new Client({ connectionString: url, options: COPY_SESSION_OPTIONS });
  await client.connect();
  const counts: Record<string, number> = {};
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quotePg(sample.schema)} CASCADE`);
    await client.query(`CREATE SCHEMA ${quotePg(sample.schema)}`);
    for (const table of sample.tables) {
      await client.query(createTablePgSql(sample.schema, table.schema));
      const columns = table.schema.columns.map((c) => quotePg(c.name)).join(', ');
      const sink = client.query(copyFrom(`COPY ${qualifiedPg(sample.schema, table.schema.name)} (${columns}) FROM STDIN`));
      await pipeline(Readable.from(copyTextChunks(table)), sink);
      counts[table.schema.name] = Number(sink.rowCount);
      for (const sql of postLoadSql(sample.schema, table.schema)) await client.query(sql);
    }
    await client.query(`ANALYZE`);
  } finally {
    await client.end();
  }
  return counts;
}
