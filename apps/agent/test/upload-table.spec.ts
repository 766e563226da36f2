import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { UploadManifest } from '@omt/contracts';
import { COPY_SESSION_OPTIONS, digestCopyStream } from '@omt/copy-text';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases';
import { AgentApiClient } from '../src/api/agent-api-client';
import { PostgresSource } from '../src/source/postgres-source';
import { findTable, tableSchemaOf } from '../src/source/table-schema';
import { uploadTable } from '../src/upload/table-uploader';
import { UploadProgress } from '../src/upload/upload-progress';
import { uploadTables } from '../src/upload/upload-tables';

/**
 * The tables half of the upload API over real HTTP, keeping what arrives:
 * schemas in order, each batch unzipped, and the table figures. It answers
 * like the real API: a re-sent batch is a duplicate, other bytes are a 409.
 */
async function recordingApi(options: { delayMs?: number } = {}) {
  const schemas: string[] = [];
  const batches = new Map<string, Map<number, { data: Buffer; sha256: string; rows: number; firstRow: number; parts: number }>>();
  const parts = new Map<string, Buffer>();
  const completed = new Map<string, { batches: number; rows: number; hash: string }>();
  let active = 0;
  let maxActive = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      active--;
      const body = Buffer.concat(chunks);
      const path = decodeURI(req.url!).split('/').slice(3); // ['tables', name, ...]
      const table = decodeURIComponent(req.url!.split('/')[4]!);
      const send = (status: number, answer: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
      };
      if (req.method === 'PUT' && path.length === 2) {
        schemas.push(table);
        res.writeHead(204);
        return res.end();
      }
      const hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
      const land = (sequence: number, data: Buffer, sha256: string, rows: number, firstRow: number, partCount: number) => {
        const landed = batches.get(table) ?? new Map();
        batches.set(table, landed);
        const before = landed.get(sequence);
        if (before && before.sha256 !== sha256) return send(409, { code: 'BATCH_CONFLICT', message: 'other bytes', details: [] });
        landed.set(sequence, { data, sha256, rows, firstRow, parts: partCount });
        return send(200, { table, sequence, status: before ? 'duplicate' : 'stored' });
      };
      if (req.method === 'PUT' && path[2] === 'batches' && path[4] === 'parts') {
        if (hex(body) !== req.headers['x-omt-gzip-sha256'])
          return send(422, { code: 'CHECKSUM_MISMATCH', message: 'gzip sha256', details: [] });
        parts.set(`${table}/${path[3]}/${path[5]}`, body);
        return send(200, { table, sequence: Number(path[3]), part: Number(path[5]), status: 'stored' });
      }
      if (req.method === 'POST' && path[2] === 'batches' && path[4] === 'commit') {
        const commit = JSON.parse(body.toString('utf8')) as { sha256: string; rows: number; bytes: number; parts: number; firstRow: number };
        const slices = Array.from({ length: commit.parts }, (_, i) => parts.get(`${table}/${path[3]}/${i}`));
        if (slices.some((p) => !p)) return send(422, { code: 'BATCH_PARTS_MISSING', message: 'parts', details: [] });
        const data = gunzipSync(Buffer.concat(slices as Buffer[]));
        if (hex(data) !== commit.sha256 || data.length !== commit.bytes)
          return send(422, { code: 'CHECKSUM_MISMATCH', message: 'sha256 or bytes', details: [] });
        return land(Number(path[3]), data, commit.sha256, commit.rows, commit.firstRow, commit.parts);
      }
      if (req.method === 'PUT' && path[2] === 'batches') {
        const sequence = Number(path[3]);
        if (hex(body) !== req.headers['x-omt-gzip-sha256'])
          return send(422, { code: 'CHECKSUM_MISMATCH', message: 'gzip sha256', details: [] });
        const data = gunzipSync(body);
        const sha256 = String(req.headers['x-omt-sha256']);
        if (hex(data) !== sha256 || String(data.length) !== req.headers['x-omt-bytes'])
          return send(422, { code: 'CHECKSUM_MISMATCH', message: 'sha256 or bytes', details: [] });
        return land(sequence, data, sha256, Number(req.headers['x-omt-rows']), Number(req.headers['x-omt-first-row']), 0);
      }
      if (req.method === 'POST' && path[2] === 'complete') {
        completed.set(table, JSON.parse(body.toString('utf8')));
        return send(200, completed.get(table));
      }
      send(404, { code: 'NOT_FOUND', message: req.url, details: [] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    api: new AgentApiClient({
      baseUrl: url,
      token: 'omt_at_test',
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
    }),
    schemas,
    batches,
    completed,
    maxActive: () => maxActive,
    /** What a GET /session manifest would list for these tables. */
    manifest(): UploadManifest {
      return {
        limits: null,
        tables: [...batches].map(([name, landed]) => ({
          name,
          batches: [...landed].map(([sequence, b]) => ({ sequence, sha256: b.sha256, firstRow: b.firstRow, rows: b.rows })),
          complete: completed.has(name),
        })),
        documents: [],
        missingDocuments: [],
        uploadComplete: false,
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let db: TestDatabase;
let admin: Client;
let source: PostgresSource;
const TABLE = 'Odd "Table" ü';

/** The table's COPY text digest read with psql-equivalent COPY, not with the code under test. */
async function sourceDigest(table: string) {
  const client = new Client({ connectionString: db.url, options: COPY_SESSION_OPTIONS });
  await client.connect();
  try {
    const quoted = `src."${table.replace(/"/g, '""')}"`;
    return await digestCopyStream(client.query(copyTo(`COPY (SELECT * FROM ${quoted} ORDER BY id) TO STDOUT`)));
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  db = await createTestDatabase('upload_table');
  admin = new Client({ connectionString: db.url });
  await admin.connect();
  await admin.query('CREATE SCHEMA src');
  await admin.query(
    `CREATE TABLE src."${TABLE.replace(/"/g, '""')}" (id int PRIMARY KEY, name text, price numeric(12,4), at timestamptz, blob bytea)`,
  );
  await admin.query(`
    INSERT INTO src."${TABLE.replace(/"/g, '""')}"
    SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'Zoë ✓ tab\there line' || chr(10) || g END, g * 1.0001,
           timestamptz '2026-03-29 01:30:00+00' + g * interval '1 minute', decode(md5(g::text), 'hex')
    FROM generate_series(1, 5000) g`);
  await admin.query(
    "CREATE TABLE src.small (id int PRIMARY KEY, v text); INSERT INTO src.small VALUES (1, 'a'), (2, NULL)",
  );
  await admin.query('CREATE TABLE src.empty (id int PRIMARY KEY)');
  // Rows far past the batch limit (64 KiB) between ordinary ones: a text of 300 KB and a bytea of 200 KB (400 KB as hex).
  await admin.query(`
    CREATE TABLE src.blobs (id int PRIMARY KEY, note text, data bytea);
    INSERT INTO src.blobs
    SELECT g,
           CASE WHEN g = 5 THEN (SELECT string_agg(md5(i::text), E'\\t') FROM generate_series(1, 9000) i) ELSE 'n' || g END,
           CASE WHEN g = 9 THEN (SELECT string_agg(decode(md5(i::text), 'hex'), '') FROM generate_series(1, 12500) i) ELSE NULL END
    FROM generate_series(1, 700) g`);
  source = new PostgresSource(db.url, 'src');
});

afterAll(async () => {
  await source?.close();
  await admin?.end();
  await db?.drop();
});

async function schemaOf(name: string) {
  return tableSchemaOf(findTable(await source.introspect(), name)!);
}

const limits = { maxRows: 400, maxBytes: 64 * 1024 };

/** A table's COPY text lines as the source prints them, in key order (not read by the code under test). */
async function collect(table: string): Promise<Buffer[]> {
  const client = new Client({ connectionString: db.url, options: COPY_SESSION_OPTIONS });
  await client.connect();
  try {
    const chunks: Buffer[] = [];
    const stream = client.query(copyTo(`COPY (SELECT * FROM src."${table}" ORDER BY id) TO STDOUT`));
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    return chunks;
  } finally {
    await client.end();
  }
}

it('sends every batch gzipped with its sha256, and figures that match the source', async () => {
  const api = await recordingApi();
  try {
    const table = await schemaOf(TABLE);
    const result = await uploadTable({ api: api.api, source, table, limits });
    const landed = [...api.batches.get(TABLE)!.entries()].sort(([a], [b]) => a - b);
    expect(landed.map(([sequence]) => sequence)).toEqual(landed.map((_, i) => i));
    expect(landed.length).toBeGreaterThan(5);
    expect(landed.every(([, b]) => b.rows <= limits.maxRows)).toBe(true);
    const expected = await sourceDigest(TABLE);
    expect(api.completed.get(TABLE)).toEqual({ batches: landed.length, rows: 5000, hash: expected.hash });
    // The batches together are the table, byte for byte in COPY text.
    expect(
      await digestCopyStream(
        (async function* () {
          for (const [, b] of landed) yield b.data;
        })(),
      ),
    ).toEqual(expected);
    expect(result).toMatchObject({ sentBatches: landed.length, skippedBatches: 0, rows: 5000 });
    expect(result.sentBytes).toBeLessThan(result.bytes);
  } finally {
    await api.close();
  }
});

it('resumes: skips the batches that landed, still hashes the whole table', async () => {
  const api = await recordingApi();
  try {
    const table = await schemaOf(TABLE);
    await uploadTable({ api: api.api, source, table, limits });
    const full = api.completed.get(TABLE)!;
    const manifest = api.manifest().tables[0]!;
    const kept = { ...manifest, complete: false, batches: manifest.batches.filter((b) => b.sequence < 3) };
    for (const [sequence] of api.batches.get(TABLE)!) if (sequence >= 3) api.batches.get(TABLE)!.delete(sequence);
    api.completed.clear();

    const progress = new UploadProgress();
    progress.expectTables(1, 5000);
    const resumed = await uploadTable({
      api: api.api,
      source,
      table,
      limits,
      landed: kept,
      onBatch: (b) => progress.addRows(b.rows, b.bytes, b.sentBytes, b.skipped),
    });
    expect(resumed).toMatchObject({ skippedBatches: 3, sentBatches: full.batches - 3 });
    expect(api.completed.get(TABLE)).toEqual(full);
    expect(progress.snapshot().rows).toEqual({ done: 5000, total: 5000 });
  } finally {
    await api.close();
  }
});

/** The COPY text that landed for a table, batch after batch in row order: each row must be there exactly once. */
function landedText(api: Awaited<ReturnType<typeof recordingApi>>, table: string): Buffer {
  const landed = [...api.batches.get(table)!.values()].sort((a, b) => a.firstRow - b.firstRow);
  let next = 0;
  for (const b of landed) {
    expect(b.firstRow).toBe(next);
    next += b.rows;
  }
  return Buffer.concat(landed.map((b) => b.data));
}

it('sends a row longer than a batch on its own, in parts, and the figures still match the source', async () => {
  const api = await recordingApi();
  try {
    const table = await schemaOf('blobs');
    const result = await uploadTable({ api: api.api, source, table, limits: { maxRows: 100, maxBytes: 64 * 1024 }, partBytes: 16 * 1024 });
    const expected = await sourceDigest('blobs');
    expect(result).toMatchObject({ rows: 700, hash: expected.hash });
    const landed = [...api.batches.get('blobs')!.values()];
    // Rows 5 and 9 (indexes 4 and 8) went alone, in several parts; the others in ordinary batches around them.
    const parted = landed.filter((b) => b.parts > 0).sort((a, b) => a.firstRow - b.firstRow);
    expect(parted.map((b) => [b.firstRow, b.rows])).toEqual([
      [4, 1],
      [8, 1],
    ]);
    for (const b of parted) expect(b.parts).toBeGreaterThan(1);
    expect(landed.filter((b) => b.parts === 0).every((b) => b.data.length < 2 * 64 * 1024)).toBe(true);
    expect(createHash('sha256').update(landedText(api, 'blobs')).digest('hex')).toBe(
      createHash('sha256').update(Buffer.concat((await collect('blobs')).map((b) => b))).digest('hex'),
    );
  } finally {
    await api.close();
  }
});

it('resumes with other limits: skips the rows that landed (with gaps), cuts the rest anew, each row once', async () => {
  const api = await recordingApi();
  try {
    const table = await schemaOf(TABLE);
    await uploadTable({ api: api.api, source, table, limits });
    const full = api.completed.get(TABLE)!;
    const whole = landedText(api, TABLE);
    // Batches 0, 1 and 4 landed; 2, 3 and everything after were lost (a run stopped with batches in flight).
    for (const [sequence] of api.batches.get(TABLE)!) if (![0, 1, 4].includes(sequence)) api.batches.get(TABLE)!.delete(sequence);
    const kept = { ...api.manifest().tables[0]!, complete: false };
    api.completed.clear();

    const resumed = await uploadTable({ api: api.api, source, table, limits: { maxRows: 150, maxBytes: 1 << 20 }, landed: kept });
    expect(resumed.skippedBatches).toBe(3);
    expect(api.completed.get(TABLE)).toMatchObject({ rows: full.rows, hash: full.hash });
    expect(api.completed.get(TABLE)!.batches).toBe(api.batches.get(TABLE)!.size);
    expect(landedText(api, TABLE).equals(whole)).toBe(true);
    // New batches are numbered after the landed ones and hold at most 150 rows.
    const fresh = [...api.batches.get(TABLE)!].filter(([sequence]) => sequence > 4);
    expect(fresh.length).toBeGreaterThan(0);
    for (const [, b] of fresh) expect(b.rows).toBeLessThanOrEqual(150);
  } finally {
    await api.close();
  }
});

it('stops with BATCH_CONFLICT when a landed batch no longer matches the source', async () => {
  const api = await recordingApi();
  try {
    const table = await schemaOf('small');
    const landed = { name: 'small', complete: false, batches: [{ sequence: 0, sha256: 'f'.repeat(64), firstRow: 0, rows: 2 }] };
    await expect(uploadTable({ api: api.api, source, table, limits, landed })).rejects.toMatchObject({
      code: 'BATCH_CONFLICT',
      message: expect.stringContaining('has changed at the source'),
    });
    expect(api.completed.size).toBe(0);
  } finally {
    await api.close();
  }
});

it('keeps at most the configured number of batches in flight', async () => {
  const api = await recordingApi({ delayMs: 20 });
  try {
    const table = await schemaOf(TABLE);
    await uploadTable({ api: api.api, source, table, limits, batchesInFlight: 2 });
    expect(api.maxActive()).toBeLessThanOrEqual(2);
    expect(api.maxActive()).toBe(2);
  } finally {
    await api.close();
  }
});

it('uploads several tables largest first, an empty one included, and skips tables complete before', async () => {
  const api = await recordingApi();
  try {
    const planned = await Promise.all(
      ['small', 'empty', TABLE].map(async (name) => ({
        schema: await schemaOf(name),
        rows: await source.countRows(name),
      })),
    );
    const manifest = api.manifest();
    manifest.tables.push({ name: 'small', batches: [], complete: true });
    const progress = new UploadProgress();
    progress.expectTables(3, 5002);
    await uploadTables({ api: api.api, source, tables: planned, limits, manifest, parallel: 1, progress });
    expect(api.schemas).toEqual([TABLE, 'empty']);
    expect(api.completed.get('empty')).toEqual({ batches: 0, rows: 0, hash: '0'.repeat(64) });
    expect(progress.snapshot()).toMatchObject({ tables: { done: 3, total: 3 }, rows: { done: 5002, total: 5002 } });
  } finally {
    await api.close();
  }
});

it('gives the small tables a slot of their own, so they finish while a large one streams', async () => {
  const api = await recordingApi({ delayMs: 20 });
  try {
    const planned = await Promise.all(
      [TABLE, 'small', 'empty'].map(async (name) => ({
        schema: await schemaOf(name),
        rows: await source.countRows(name),
      })),
    );
    const progress = new UploadProgress();
    progress.expectTables(3, 5002);
    await uploadTables({
      api: api.api,
      source,
      tables: planned,
      limits,
      manifest: api.manifest(),
      parallel: 2,
      batchesInFlight: 1,
      progress,
    });
    // The large table (13 batches, one at a time) started first and finished last; the small ones went smallest first beside it.
    expect(api.schemas[0]).toBe(TABLE);
    expect([...api.completed.keys()]).toEqual(['empty', 'small', TABLE]);
    expect(progress.snapshot()).toMatchObject({ tables: { done: 3, total: 3 }, rows: { done: 5002, total: 5002 } });
  } finally {
    await api.close();
  }
});
