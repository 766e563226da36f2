import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { encodeCopyLine } from '../source/copy-text';
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

/** Replaces the schema in the target database with the sample's tables, loaded with COPY. */
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
    }
    await client.query(`ANALYZE`);
  } finally {
    await client.end();
  }
  return counts;
}
