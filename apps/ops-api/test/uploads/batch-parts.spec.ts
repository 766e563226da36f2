import { randomBytes } from 'node:crypto';
import { QUEUES, type BatchCommit } from '@omt/contracts';
import { queryDatabase } from '../../../../test/support/databases';
import { QueuesService } from '../../src/queues/queues.service';
import { batchJobId } from '../../src/queues/job-ids';
import type { Credential } from '../support/auth-helpers';
import { startTestApi, type TestApi } from '../support/test-api';
import { enrolledTicket, gzipSlices, putBatch, putPart, sha256, startedUpload, tablePath } from './upload-fixtures';

const MAX_BATCH_BYTES = 64 * 1024;

/** One row of varied text, larger than a whole request may be (OMT_MAX_BATCH_BYTES of 64 KiB here). */
function largeRow(id: number): Buffer {
  return Buffer.from(`${id}\t${randomBytes(150_000).toString('hex')}\t\\N\n`);
}

describe('batches sent in parts', () => {
  let api: TestApi;
  let sales: Credential;
  beforeAll(async () => {
    api = await startTestApi('batch_parts', { env: { OMT_MAX_BATCH_BYTES: String(MAX_BATCH_BYTES) } });
    sales = await api.createSalesKey();
  });
  afterAll(async () => api.close());

  const sql = (text: string, values: unknown[] = []) => queryDatabase(api.database.url, text, values);
  const importQueue = () => api.context.get(QueuesService, { strict: false }).queue(QUEUES.import);
  const commit = (agent: Credential, sequence: number, body: BatchCommit) =>
    api.call('POST', tablePath('contact', `/batches/${sequence}/commit`), { as: agent, body });
  const figures = (text: Buffer, parts: number, firstRow = 0): BatchCommit => ({ sha256: sha256(text), rows: 1, bytes: text.length, parts, firstRow });

  it('takes the parts of a batch larger than a request, a part sent again included, and commits it as one batch and one job', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    await startedUpload(api, agent, { contact: 3 }, { maxRows: 100, maxBytes: 4096 });
    const text = largeRow(1);
    // Whole, the batch is refused: larger than a request may be.
    expect((await putBatch(api, agent, 'contact', 0, text)).status).toBe(413);

    const slices = gzipSlices(text, 6);
    for (const [part, slice] of slices.entries()) {
      expect((await putPart(api, agent, 'contact', 0, part, slice)).body).toEqual({ table: 'contact', sequence: 0, part, status: 'stored' });
    }
    // A retry after a lost answer replaces the part with the same bytes.
    expect((await putPart(api, agent, 'contact', 0, 3, slices[3]!)).body).toMatchObject({ status: 'stored' });

    const committed = await commit(agent, 0, figures(text, slices.length));
    expect(committed.body).toEqual({ table: 'contact', sequence: 0, status: 'stored' });
    expect((await commit(agent, 0, figures(text, slices.length))).body).toEqual({ table: 'contact', sequence: 0, status: 'duplicate' });
    // After the commit a part is not stored again: the blobs the worker reads do not change.
    expect((await putPart(api, agent, 'contact', 0, 1, Buffer.from('other'))).body).toMatchObject({ status: 'duplicate' });

    const [row] = await sql('SELECT sequence, rows, bytes, parts, "firstRow"::int AS "firstRow", "storedBytes", "blobKey" FROM "BatchUpload" WHERE "ticketId" = $1', [ticketId]);
    expect(row).toMatchObject({ sequence: 0, rows: 1, bytes: text.length, parts: 6, firstRow: 0, storedBytes: slices.reduce((n, s) => n + s.length, 0) });
    expect(row!.blobKey).toMatch(/\/0-parts$/);
    const job = await importQueue().getJob(batchJobId(ticketId, 'contact', 0));
    expect(job?.data).toMatchObject({ table: 'contact', sequence: 0, parts: 6, blobKey: row!.blobKey, sha256: sha256(text), bytes: text.length });

    // The manifest says which rows landed, so a resume may cut the rest with other limits.
    await putBatch(api, agent, 'contact', 1, Buffer.from('2\tb\t\\N\n3\tc\t\\N\n'), {});
    const session = await api.call('GET', '/api/agent/session', { as: agent });
    expect(session.body.manifest.tables[0].batches).toEqual([
      { sequence: 0, sha256: sha256(text), firstRow: 0, rows: 1 },
      { sequence: 1, sha256: expect.any(String), rows: 2 },
    ]);
  });

  it('refuses a commit while parts are missing, naming them, and a damaged part as it arrives', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    await startedUpload(api, agent, { contact: 1 });
    const text = largeRow(7);
    const slices = gzipSlices(text, 5);
    const damaged = await putPart(api, agent, 'contact', 0, 2, slices[2]!, { gzipSha: sha256(Buffer.from('else')) });
    expect(damaged.status).toBe(422);
    expect(damaged.body.code).toBe('CHECKSUM_MISMATCH');
    for (const part of [0, 1, 4]) await putPart(api, agent, 'contact', 0, part, slices[part]!);

    const refused = await commit(agent, 0, figures(text, 5));
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      code: 'BATCH_PARTS_MISSING',
      details: [
        { path: 'parts.2', message: 'not received' },
        { path: 'parts.3', message: 'not received' },
      ],
    });
    expect(refused.body.message).toContain("Batch 0 of table 'contact' cannot be committed: 2 of its 5 part(s) have not arrived (2, 3)");
    expect(await sql('SELECT 1 FROM "BatchUpload" WHERE "ticketId" = $1', [ticketId])).toEqual([]);

    // Part 0 must start like gzip; a part must not be empty.
    expect((await putPart(api, agent, 'contact', 0, 0, Buffer.from('not gzip'))).body.code).toBe('BATCH_INVALID');
    expect((await putPart(api, agent, 'contact', 0, 3, Buffer.alloc(0))).body.code).toBe('BATCH_INVALID');
    // Part 0 refused above was deleted: it is missing again until sent.
    for (const part of [0, 2, 3]) expect((await putPart(api, agent, 'contact', 0, part, slices[part]!)).status).toBe(200);
    expect((await commit(agent, 0, figures(text, 5))).body).toMatchObject({ status: 'stored' });
    // The same sequence committed with other figures is a conflict; a commit with a bad body is a 400.
    const other = await commit(agent, 0, { ...figures(text, 5), sha256: 'e'.repeat(64) });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('BATCH_CONFLICT');
    expect((await commit(agent, 1, { ...figures(text, 5), parts: 0 })).status).toBe(400);
  });
});
