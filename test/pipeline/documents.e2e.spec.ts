import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MissingDocument, TicketDetail } from '@omt/contracts';
import { quotePg } from '@omt/copy-text';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../support/databases';
import { eventually } from '../support/eventually';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { createSampleDatabase } from '../../apps/agent/src/sample/sample-db';
import { SAMPLE_ADMIN_PASSWORD } from '../../apps/agent/src/sample/sample-users';
import { NO_LOGIN_EVENT } from '../../apps/agent/src/source/onsite-freeze';
import { safeArchivePath } from '../../apps/ops-api/src/documents/safe-archive-path';
import { storedDocumentName } from '../../apps/ops-api/src/configuration/document-names';
import { PipelineStack, runNode, tenantUrl } from './support/pipeline-stack';
import { expectTenantEqualsSource } from './support/compare-tables';
import { explain, migrateArgs } from './support/agent-run';

/**
 * Issue 6's proof: the documents half of `omt-agent migrate` with real
 * processes (API and worker from apps/ops-api/dist, the agent from
 * apps/agent/bin), real PostgreSQL and Redis, the agent talking through a
 * counting TCP proxy. Build first (`npx nx run-many -t build`); quick with
 * OMT_TEST_TEMPLATE_DB.
 *
 * Document bytes are what the agent sent on the connections whose first
 * request went to /api/agent/documents (tus-js-client's own node:http
 * connections; the API client and the batches use fetch's pool), headers
 * and tus' HEAD/POST requests included.
 */
jest.setTimeout(900_000);

const DOCUMENTS_PATH = '/api/agent/documents';
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const MiB = 1024 * 1024;
const agentEnv = {
  PATH: process.env.PATH,
  OMT_CRM_PASSWORD: SAMPLE_ADMIN_PASSWORD,
  OMT_MIGRATOR_NAME: 'Mia Migrator',
  OMT_MIGRATOR_EMAIL: 'mia@example.com',
  OMT_MIGRATOR_PHONE: '+47 22 33 44 55',
};

let dir: string;
const sources: TestDatabase[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'omt-e2e-docs-'));
});

afterAll(async () => {
  for (const source of sources) await source.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Sample {
  url: string;
  archive: string;
}

/** A small sample onsite CRM with `documents` documents (files of up to 256 KiB). */
async function sample(label: string, seed: number, documents: number): Promise<Sample> {
  const db = await createTestDatabase(`e2e_docs_${label}`);
  sources.push(db);
  const archive = path.join(dir, label, 'SO_ARC');
  await createSampleDatabase({ target: db.url, archive, seed, size: 'small', problems: [], volumes: { documents } });
  return { url: db.url, archive };
}

/** The onsite freeze's system events in the sample (a live migration sets one, a test migration none). */
async function freezeEvents(source: Sample): Promise<number> {
  const [row] = await queryDatabase(
    source.url,
    'SELECT count(*)::int AS n FROM crm7."SystemEvent" WHERE eventkey = $1',
    [NO_LOGIN_EVENT.key],
  );
  return Number(row!.n);
}

/** The sample's document files (`<login>/<period>/<name>`, three levels down), by relative path. */
async function documentFiles(archive: string): Promise<string[]> {
  const entries = await readdir(archive, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(archive, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((p) => p.split('/').length === 3)
    .sort();
}

interface Outcome {
  mode: string;
  modeReason: string;
  state: string;
  verified: boolean;
  documents: { uploaded: number; skipped: number; bytes: number } | null;
  missingDocuments: MissingDocument[];
}

/** `omt-agent migrate` to its end; its JSON outcome. */
async function migrate(
  stack: PipelineStack,
  apiUrl: string,
  code: string,
  source: Sample,
  stateDir: string,
): Promise<Outcome> {
  const run = await runNode(migrateArgs(apiUrl, code, source, { stateDir }), agentEnv);
  if (run.code !== 0) throw new Error(await explain(stack, run));
  return JSON.parse(run.stdout) as Outcome;
}

interface LedgerRow {
  documentId: number;
  relativePath: string;
  sha256: string;
  receivedAt: string;
}

async function ledger(stack: PipelineStack, ticketId: string): Promise<Map<number, LedgerRow>> {
  const rows = await queryDatabase(
    stack.database.url,
    `SELECT "documentId", "relativePath", sha256, "receivedAt"::text AS "receivedAt" FROM "DocumentUpload" WHERE "ticketId" = $1`,
    [ticketId],
  );
  return new Map(rows.map((r) => [Number(r.documentId), r as unknown as LedgerRow]));
}

/** Documents whose ledger row is new or changed between two reads. */
function changedIds(before: Map<number, LedgerRow>, after: Map<number, LedgerRow>): number[] {
  return [...after.values()]
    .filter((row) => {
      const old = before.get(row.documentId);
      return !old || old.receivedAt !== row.receivedAt || old.sha256 !== row.sha256;
    })
    .map((row) => row.documentId)
    .sort((a, b) => a - b);
}

/** GET /api/tickets/:id/detail as an ops user made with the operations CLI, as ops would see it. */
async function opsDetail(stack: PipelineStack, ticketId: string): Promise<TicketDetail> {
  const cookie = await stack.opsSessionCookie();
  const detail = await fetch(`${stack.url}/api/tickets/${ticketId}/detail`, { headers: { cookie } });
  expect(detail.status).toBe(200);
  return (await detail.json()) as TicketDetail;
}

async function tenantFile(stack: PipelineStack, tenantDatabase: string, relativePath: string): Promise<Buffer> {
  return readFile(
    path.join(stack.env.OMT_TENANT_ARCHIVE_DIR!, tenantDatabase, ...safeArchivePath(relativePath).split('/')),
  );
}

/** The size of the largest upload the API holds in its tus folder (the document arriving). */
async function largestTusUpload(stack: PipelineStack): Promise<number> {
  const folder = path.join(stack.env.OMT_BLOB_DIR!, 'tus');
  const names = await readdir(folder).catch(() => [] as string[]);
  const sizes = await Promise.all(
    names
      .filter((n) => !n.endsWith('.json'))
      .map((n) =>
        stat(path.join(folder, n)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
  );
  return Math.max(0, ...sizes);
}

async function withStack(label: string, test: (stack: PipelineStack, proxy: TcpProxy) => Promise<void>, slow?: number) {
  const stack = await PipelineStack.create(label);
  let proxy: TcpProxy | undefined;
  try {
    await stack.start('dev');
    proxy = await startTcpProxy(stack.url, slow ? { bytesPerSecond: slow } : {});
    await test(stack, proxy);
  } finally {
    await proxy?.close();
    await stack.close();
  }
}

it('an agent SIGKILLed inside a large document resumes at the offset: document bytes stay under 110 % of the archive', async () => {
  const source = await sample('kill', 31, 4);
  const files = await documentFiles(source.archive);
  // One document of tens of MB (the scan takes sizes from the disk).
  const big = randomBytes(40 * MiB);
  await writeFile(path.join(source.archive, ...files[0]!.split('/')), big);
  const contents = new Map(
    await Promise.all(files.map(async (f) => [f, await readFile(path.join(source.archive, ...f.split('/')))] as const)),
  );
  const archiveBytes = [...contents.values()].reduce((n, c) => n + c.length, 0);

  // A slow line, so the kill lands inside the large document.
  await withStack(
    'dockill',
    async (stack, proxy) => {
      // Live: the onsite CRM is frozen for the upload and stays frozen once it completed.
      const ticket = await stack.createTicket(await stack.createSalesKey(), 'live');
      const stateDir = path.join(dir, 'kill', 'state');
      let child: ChildProcess | undefined;
      const first = runNode(migrateArgs(proxy.url, ticket.code, source, { stateDir }), agentEnv, (c) => (child = c));
      const atKill = await eventually(() => largestTusUpload(stack), {
        what: 'the large document to be half-way',
        until: (size) => size > 15 * MiB,
        timeoutMs: 180_000,
        intervalMs: 25,
      });
      child!.kill('SIGKILL');
      expect((await first).code).not.toBe(0);
      expect(await freezeEvents(source)).toBe(1);
      const documentBytesBefore = proxy.upstreamBytesTo(DOCUMENTS_PATH);
      expect(documentBytesBefore).toBeLessThan(archiveBytes);

      const second = await migrate(stack, proxy.url, ticket.code, source, stateDir);
      expect(second).toMatchObject({ mode: 'resume', state: 'completed', verified: true, missingDocuments: [] });
      // The restart sent only what the API did not hold: the large document from its offset on.
      expect(second.documents!.bytes).toBeLessThanOrEqual(archiveBytes - atKill);
      const documentBytes = proxy.upstreamBytesTo(DOCUMENTS_PATH);
      expect(documentBytes).toBeGreaterThanOrEqual(archiveBytes);
      expect(documentBytes).toBeLessThan(archiveBytes * 1.1);

      expect(await freezeEvents(source)).toBe(1);
      const landed = await ledger(stack, ticket.ticketId);
      expect(landed.size).toBe(files.length);
      for (const [file, data] of contents)
        expect(sha256(await tenantFile(stack, ticket.tenantDatabase, file))).toBe(sha256(data));
      const [tables] = await queryDatabase(
        stack.database.url,
        'SELECT coalesce(sum("storedBytes"), 0)::bigint AS bytes FROM "BatchUpload" WHERE "ticketId" = $1',
        [ticket.ticketId],
      );
      console.log(
        `SIGKILL with ${(atKill / MiB).toFixed(1)} MiB of the ${big.length / MiB} MiB document at the API; document bytes sent in both runs: ` +
          `${documentBytes} for an archive of ${archiveBytes} (${((documentBytes / archiveBytes) * 100).toFixed(1)} %), ${second.documents!.bytes} of them ` +
          `after the restart; all traffic ${proxy.upstreamBytes} bytes for archive + stored batches ${archiveBytes + Number(tables!.bytes)}`,
      );
    },
    16 * MiB,
  );
});

it('documents missing at the first upload are listed for ops; put back, a restart recovers exactly those, and then a changed one, and the ticket completes', async () => {
  const source = await sample('recover', 37, 12);
  const files = await documentFiles(source.archive);
  const [fileA, fileB, fileC] = files as [string, string, string];
  const at = (file: string) => path.join(source.archive, ...file.split('/'));
  const saved = { a: await readFile(at(fileA)), b: await readFile(at(fileB)) };
  await rm(at(fileA));
  await rm(at(fileB));

  await withStack('docrecover', async (stack, proxy) => {
    const ticket = await stack.createTicket(await stack.createSalesKey());
    const stateDir = path.join(dir, 'recover', 'state');
    const missingOf = (missing: MissingDocument[]) =>
      missing
        .map((m) => ({ relativePath: m.relativePath, reason: m.reason }))
        .sort((x, y) => String(x.relativePath).localeCompare(String(y.relativePath)));

    const first = await migrate(stack, proxy.url, ticket.code, source, stateDir);
    expect(first).toMatchObject({ mode: 'initial', state: 'completed_with_missing_documents', verified: true });
    expect(missingOf(first.missingDocuments)).toEqual([
      { relativePath: fileA, reason: 'missing-file' },
      { relativePath: fileB, reason: 'missing-file' },
    ]);
    const detail = await opsDetail(stack, ticket.ticketId);
    expect(detail.ticket.state).toBe('completed_with_missing_documents');
    expect(missingOf(detail.documents.missing)).toEqual(missingOf(first.missingDocuments));
    expect(detail.documents.received).toBe(files.length - 2);
    const batches = async () =>
      queryDatabase(
        stack.database.url,
        'SELECT "tableName", sequence, sha256, "importedAt"::text FROM "BatchUpload" WHERE "ticketId" = $1 ORDER BY 1, 2',
        [ticket.ticketId],
      );
    const batchesBefore = await batches();

    // A put back: recovery sends it and nothing else; B is still listed.
    await writeFile(at(fileA), saved.a);
    const landedBefore = await ledger(stack, ticket.ticketId);
    const bytesBefore = proxy.upstreamBytesTo(DOCUMENTS_PATH);
    const second = await migrate(stack, proxy.url, ticket.code, source, stateDir);
    expect(second).toMatchObject({
      mode: 'recovery',
      modeReason: expect.stringContaining('only missing or changed documents are sent, the database is not touched'),
      state: 'completed_with_missing_documents',
      documents: { uploaded: 1, skipped: files.length - 2 },
    });
    expect(missingOf(second.missingDocuments)).toEqual([{ relativePath: fileB, reason: 'missing-file' }]);
    const landedAfterA = await ledger(stack, ticket.ticketId);
    expect(changedIds(landedBefore, landedAfterA).map((id) => landedAfterA.get(id)!.relativePath)).toEqual([fileA]);
    const sentForA = proxy.upstreamBytesTo(DOCUMENTS_PATH) - bytesBefore;
    expect(sentForA).toBeGreaterThanOrEqual(saved.a.length);
    expect(sentForA).toBeLessThan(saved.a.length * 1.1 + 16 * 1024);
    expect(await batches()).toEqual(batchesBefore);

    // B put back and C changed: exactly those two go; the tenant holds C's new bytes; verified, completed.
    await writeFile(at(fileB), saved.b);
    const changed = randomBytes(70_000);
    await writeFile(at(fileC), changed);
    const third = await migrate(stack, proxy.url, ticket.code, source, stateDir);
    expect(third).toMatchObject({ mode: 'recovery', state: 'completed', verified: true, missingDocuments: [] });
    expect(third.documents).toMatchObject({ uploaded: 2, skipped: files.length - 2 });
    const landedAfter = await ledger(stack, ticket.ticketId);
    expect(
      changedIds(landedAfterA, landedAfter)
        .map((id) => landedAfter.get(id)!.relativePath)
        .sort(),
    ).toEqual([fileB, fileC].sort());
    expect([...landedAfter.values()].find((r) => r.relativePath === fileC)!.sha256).toBe(sha256(changed));
    expect(sha256(await tenantFile(stack, ticket.tenantDatabase, fileC))).toBe(sha256(changed));
    expect(sha256(await tenantFile(stack, ticket.tenantDatabase, fileB))).toBe(sha256(saved.b));
    expect(await batches()).toEqual(batchesBefore);
    const end = await opsDetail(stack, ticket.ticketId);
    expect(end).toMatchObject({ ticket: { state: 'completed' }, documents: { missing: [], received: files.length } });
    await expectTenantEqualsSource(source.url, tenantUrl(ticket.tenantDatabase));
    // A test migration leaves the onsite database alone.
    expect(await freezeEvents(source)).toBe(0);
  });
});

/** Document names that try to leave the archive, name devices, or are merely long or unusual. */
const HOSTILE_NAMES = [
  '..\\..\\..\\evil.doc',
  '../../inside-root.doc',
  '../../../outside.doc',
  '..',
  '/etc/omt-e2e-passwd',
  'C:\\Windows\\System32\\drivers\\etc\\hosts',
  '\\\\server\\share\\unc.doc',
  'CON',
  'nul.txt',
  'COM1.doc',
  'LPT9',
  `${'é'.repeat(120)}.pdf`,
  `${`${'😀'.repeat(63)}/`.repeat(7)}${'😀'.repeat(59)}.doc`,
  '日本語の文書.docx',
  'cafe\u0301.doc',
  '\u202eexe.doc',
  'trailing dot.',
  'trailing space ',
  'tab\there.doc',
  'what?.doc',
  'what_.doc',
];

/** Copies one row of a sample table with some columns replaced (names are data: every value a parameter). */
async function copyRow(url: string, table: string, key: string, keyValue: number, overrides: Record<string, unknown>) {
  const columns = (
    await queryDatabase(
      url,
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'crm7' AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    )
  ).map((r) => String(r.column_name));
  const values: unknown[] = [keyValue];
  const select = columns.map((c) => (c in overrides ? `$${values.push(overrides[c])}` : quotePg(c)));
  await queryDatabase(
    url,
    `INSERT INTO crm7.${quotePg(table)} (${columns.map(quotePg).join(', ')}) SELECT ${select.join(', ')} FROM crm7.${quotePg(table)} WHERE ${quotePg(key)} = $1`,
    values,
  );
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

it('hostile document names stay inside the tenant archive, the upload does not crash, and the CRM rows point at the stored files', async () => {
  const source = await sample('hostile', 41, 2);
  // Document 1's owner folder (`<login>/<period>`), where the hostile rows copied from it have their files.
  const files = await documentFiles(source.archive);
  const contents = await Promise.all(files.map((f) => readFile(path.join(source.archive, ...f.split('/')), 'latin1')));
  const folder = path.posix.dirname(files[contents.findIndex((c) => c.startsWith('omt sample document 1:'))]!);
  const hostile = HOSTILE_NAMES.map((name, i) => ({ documentId: 9000 + i, name, relativePath: `${folder}/${name}` }));
  for (const doc of hostile) {
    await copyRow(source.url, 'appointment', 'document_id', 1, {
      appointment_id: doc.documentId,
      document_id: doc.documentId,
    });
    await copyRow(source.url, 'document', 'document_id', 1, {
      document_id: doc.documentId,
      name: doc.name,
      appointment_id: doc.documentId,
    });
    const file = path.resolve(source.archive, ...doc.relativePath.split('/'));
    if (doc.name === '..') continue; // the owner's own folder: no file can have this name
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `hostile document ${doc.documentId}`);
  }
  const outside = hostile.find((d) => d.name === '../../../outside.doc')!;
  const dotdot = hostile.find((d) => d.name === '..')!;
  // Its file is beside the archive, not in it: the agent must not send it.
  expect(path.resolve(source.archive, ...outside.relativePath.split('/')).startsWith(source.archive + path.sep)).toBe(
    false,
  );

  await withStack('dochostile', async (stack, proxy) => {
    const stackFilesBefore = (await filesUnder(stack.dir)).filter((f) => !f.startsWith(path.join(stack.dir, 'blobs')));
    const ticket = await stack.createTicket(await stack.createSalesKey());
    const outcome = await migrate(stack, proxy.url, ticket.code, source, path.join(dir, 'hostile', 'state'));
    expect(outcome).toMatchObject({ state: 'completed_with_missing_documents', verified: true });
    expect(outcome.missingDocuments.map((m) => [m.documentId, m.reason])).toEqual([
      [Math.min(outside.documentId, dotdot.documentId), 'missing-file'],
      [Math.max(outside.documentId, dotdot.documentId), 'missing-file'],
    ]);

    const archives = stack.env.OMT_TENANT_ARCHIVE_DIR!;
    const tenantRoot = path.join(archives, ticket.tenantDatabase);
    // Every file under the archives is inside this tenant's folder; nothing half-written is left.
    const archived = await filesUnder(archives);
    for (const file of archived) expect(file.startsWith(tenantRoot + path.sep) && file).toBe(file);
    const sent = hostile.filter((d) => d !== outside && d !== dotdot);
    expect(archived.length).toBe(sent.length + 2);
    // Nothing was written anywhere else in the stack's folder (besides its blobs, archives and log) ...
    const stackFilesAfter = (await filesUnder(stack.dir)).filter(
      (f) => !f.startsWith(path.join(stack.dir, 'blobs')) && !f.startsWith(archives + path.sep),
    );
    expect(stackFilesAfter).toEqual(stackFilesBefore);
    // ... nor where a naive join of a name would have put it.
    for (const doc of hostile) {
      const naive = path.resolve(tenantRoot, ...doc.relativePath.split(/[\\/]/));
      if (!naive.startsWith(tenantRoot + path.sep)) expect(existsSync(naive) && naive).toBe(false);
    }
    expect(existsSync('/etc/omt-e2e-passwd')).toBe(false);

    // Each arrived with its bytes, in its own file; the tenant's row names the file as stored.
    const rows = new Map(
      (
        await queryDatabase(
          tenantUrl(ticket.tenantDatabase),
          'SELECT document_id, name FROM crm7.document WHERE document_id >= 9000',
        )
      ).map((r) => [Number(r.document_id), String(r.name)]),
    );
    for (const doc of sent) {
      expect((await tenantFile(stack, ticket.tenantDatabase, doc.relativePath)).toString()).toBe(
        `hostile document ${doc.documentId}`,
      );
      const renamed = storedDocumentName(doc.relativePath, 511);
      expect({ doc: doc.name, row: rows.get(doc.documentId) }).toEqual({
        doc: doc.name,
        row: renamed?.name ?? doc.name,
      });
      const found = await readFile(
        path.join(tenantRoot, ...`${folder}/${rows.get(doc.documentId)!}`.split('/')),
        'utf8',
      );
      expect(found).toBe(`hostile document ${doc.documentId}`);
    }
    expect(sent.filter((d) => storedDocumentName(d.relativePath) !== null).length).toBeGreaterThan(10);
    const ledgerRows = await ledger(stack, ticket.ticketId);
    expect(ledgerRows.has(outside.documentId)).toBe(false);
  });
});
