import path from 'node:path';
import { queryDatabase } from '../support/databases';
import { PipelineStack, runNode, tenantUrl } from './support/pipeline-stack';
import {
  AGENT_ENV,
  createSampleSource,
  explain,
  migrateArgs,
  until,
  watchPeakRss,
  type SampleSource,
} from './support/agent-run';

/**
 * Values of any size (issue 17): a 72 MiB bytea and a 20 MiB text, each far
 * past the 8 MiB batch limit and the API's 32 MiB request limit, migrated by
 * the packaged agent with API and worker as processes. They travel as
 * batches of their own, in parts, while the agent stays within 256 MiB; an
 * upload killed half way resumes with a smaller --batch-bytes and lands
 * every row once. One source for both runs (building it takes seconds).
 */
jest.setTimeout(900_000);

const MiB = 1024 * 1024;
const TABLE = 'blob_store';
const ROWS = 3000;
const BYTEA_ID = 1000;
const TEXT_ID = 2000;
const PEAK_RSS_KIB = 256 * 1024;

let source: SampleSource;
let stack: PipelineStack;

beforeAll(async () => {
  source = await createSampleSource('large_values', { seed: 17 });
  // Varied content (hashes), not zeros: gzip cannot shrink it to nothing, as it could not a real document.
  await queryDatabase(
    source.db.url,
    `CREATE TABLE crm7.${TABLE} (id integer PRIMARY KEY, data bytea, note text);
     INSERT INTO crm7.${TABLE} SELECT i, decode(md5(i::text), 'hex'), 'note ' || i FROM generate_series(1, ${ROWS}) i;
     UPDATE crm7.${TABLE} SET data = (SELECT string_agg(sha256(int4send(g)), ''::bytea) FROM generate_series(1, ${(72 * MiB) / 32}) g)
      WHERE id = ${BYTEA_ID};
     UPDATE crm7.${TABLE} SET note = (SELECT string_agg(md5(g::text), '') FROM generate_series(1, ${(20 * MiB) / 32}) g)
      WHERE id = ${TEXT_ID};`,
  );
  stack = await PipelineStack.create('large_values');
  await stack.start('dev');
}, 600_000);

afterAll(async () => {
  await stack?.close();
  await source?.drop();
});

/** The large values' sha256 and sizes, computed by PostgreSQL, and the table's row figures. */
async function fingerprint(url: string) {
  const [values] = await queryDatabase(
    url,
    `SELECT (SELECT encode(sha256(data), 'hex') FROM crm7.${TABLE} WHERE id = ${BYTEA_ID}) AS bytea_sha,
            (SELECT octet_length(data) FROM crm7.${TABLE} WHERE id = ${BYTEA_ID}) AS bytea_bytes,
            (SELECT encode(sha256(convert_to(note, 'UTF8')), 'hex') FROM crm7.${TABLE} WHERE id = ${TEXT_ID}) AS text_sha,
            (SELECT octet_length(note) FROM crm7.${TABLE} WHERE id = ${TEXT_ID}) AS text_bytes,
            (SELECT count(*)::int FROM crm7.${TABLE}) AS rows,
            (SELECT count(DISTINCT id)::int FROM crm7.${TABLE}) AS ids,
            (SELECT encode(sha256(string_agg(id || ':' || md5(data) || ':' || md5(note), ',' ORDER BY id)::bytea), 'hex') FROM crm7.${TABLE}) AS all_rows`,
  );
  return values!;
}

/** The table's batches in the ledger: each row in exactly one (first rows chain with no gap or overlap). */
async function ledgerBatches(ticketId: string) {
  const batches = await queryDatabase(
    stack.database.url,
    `SELECT sequence, rows, parts, "firstRow"::int AS "firstRow", "importedAt" IS NOT NULL AS imported
       FROM "BatchUpload" WHERE "ticketId" = $1 AND "tableName" = $2 ORDER BY "firstRow"`,
    [ticketId, TABLE],
  );
  let next = 0;
  for (const batch of batches) {
    expect(batch.firstRow).toBe(next);
    next += Number(batch.rows);
  }
  expect(next).toBe(ROWS);
  return batches;
}

it('migrates a 72 MiB bytea and a 20 MiB text in parts, verified, with the agent under 256 MiB', async () => {
  const expected = await fingerprint(source.db.url);
  expect(expected).toMatchObject({ bytea_bytes: 72 * MiB, text_bytes: 20 * MiB, rows: ROWS });
  const ticket = await stack.createTicket(await stack.createSalesKey());
  let peak: { stop(): number } | undefined;
  const started = Date.now();
  const agent = await runNode(
    migrateArgs(stack.url, ticket.code, { url: source.db.url, archive: source.archive }, { stateDir: path.join(source.dir, 'state-one') }),
    AGENT_ENV,
    (child) => (peak = watchPeakRss(child.pid!)),
  );
  const peakKiB = peak!.stop();
  if (agent.code !== 0) throw new Error(await explain(stack, agent));
  expect(JSON.parse(agent.stdout)).toMatchObject({ state: 'completed', verified: true });
  console.log(`large values: agent peak RSS ${Math.round(peakKiB / 1024)} MiB, run ${Math.round((Date.now() - started) / 1000)} s`);
  expect(peakKiB).toBeGreaterThan(0);
  expect(peakKiB).toBeLessThan(PEAK_RSS_KIB);

  expect(await fingerprint(tenantUrl(ticket.tenantDatabase))).toEqual(expected);
  const batches = await ledgerBatches(ticket.ticketId);
  // Each large row went as a batch of its own, in parts of a few MiB.
  const parted = batches.filter((b) => Number(b.parts) > 0);
  expect(parted.map((b) => [b.firstRow, b.rows])).toEqual([
    [BYTEA_ID - 1, 1],
    [TEXT_ID - 1, 1],
  ]);
  for (const b of parted) expect(Number(b.parts)).toBeGreaterThan(2);
  const [table] = await queryDatabase(
    stack.database.url,
    `SELECT "verified", "sourceRows"::int AS rows FROM "TableUpload" WHERE "ticketId" = $1 AND name = $2`,
    [ticket.ticketId, TABLE],
  );
  expect(table).toEqual({ verified: true, rows: ROWS });
});

it('resumes an upload killed half way with a smaller --batch-bytes: every row once, verified', async () => {
  const expected = await fingerprint(source.db.url);
  const ticket = await stack.createTicket(await stack.createSalesKey());
  const stateDir = path.join(source.dir, 'state-two');
  const run = (batchBytes?: number, onStart?: Parameters<typeof runNode>[2]) =>
    runNode(
      migrateArgs(stack.url, ticket.code, { url: source.db.url, archive: source.archive }, { stateDir, batchRows: 200, batchBytes }),
      AGENT_ENV,
      onStart,
    );

  let child: import('node:child_process').ChildProcess | undefined;
  const first = run(undefined, (c) => (child = c));
  // Killed once the bytea's batch has landed and some of the rows after it, before the table is whole.
  await until(
    async () => {
      const [row] = await queryDatabase(
        stack.database.url,
        `SELECT count(*) FILTER (WHERE parts > 0)::int AS parted, count(*)::int AS batches FROM "BatchUpload" WHERE "ticketId" = $1 AND "tableName" = $2`,
        [ticket.ticketId, TABLE],
      );
      return Number(row!.parted) >= 1 && Number(row!.batches) >= 7 ? true : null;
    },
    'the bytea and a few batches after it',
    { agent: first, timeoutMs: 300_000 },
  );
  child!.kill('SIGKILL');
  expect((await first).code).not.toBe(0);
  const before = await queryDatabase(stack.database.url, `SELECT count(*)::int AS n FROM "BatchUpload" WHERE "ticketId" = $1 AND "tableName" = $2`, [
    ticket.ticketId,
    TABLE,
  ]);
  expect(Number(before[0]!.n)).toBeLessThan(ROWS / 200 + 2);

  const second = await run(16 * 1024);
  if (second.code !== 0) throw new Error(await explain(stack, second));
  expect(JSON.parse(second.stdout)).toMatchObject({ mode: 'resume', state: 'completed', verified: true });
  expect(await fingerprint(tenantUrl(ticket.tenantDatabase))).toEqual(expected);
  const batches = await ledgerBatches(ticket.ticketId);
  // The resume cut its batches by the smaller byte limit: more, smaller batches than 200 rows.
  expect(batches.some((b) => Number(b.rows) < 200 && Number(b.parts) === 0 && Number(b.firstRow) + Number(b.rows) < ROWS)).toBe(true);
  expect(batches.every((b) => b.imported)).toBe(true);
});
