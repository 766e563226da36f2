import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { queryDatabase } from '../../../../test/support/databases';
import { eventually } from '../../../../test/support/eventually';
import { startTestApi, type TestApi } from '../support/test-api';
import { copyText, enrolledTicket, putBatch, startedUpload } from '../uploads/upload-fixtures';

/**
 * Customer data on disk is the service user's alone: after a real batch,
 * a real document upload and its placement in the tenant archive, every
 * file omt wrote is 0600 and every folder it made 0700, read with stat.
 * The whole run has umask 0, under which a default mode would be 0666/0777:
 * the modes must come from omt, not from the environment.
 */
let api: TestApi;
let parent: string;
let archives: string;
let umask: number;

beforeAll(async () => {
  umask = process.umask(0);
  parent = await mkdtemp(path.join(os.tmpdir(), 'omt-private-'));
  archives = path.join(parent, 'archives');
  api = await startTestApi('private-files', { worker: true, env: { OMT_TENANT_ARCHIVE_DIR: archives } });
});

afterAll(async () => {
  await api?.close();
  await rm(parent, { recursive: true, force: true });
  process.umask(umask);
});

/** Every file and folder below `root` (root itself excluded) with its permission bits. */
async function modesUnder(root: string): Promise<{ files: Record<string, string>; folders: Record<string, string> }> {
  const files: Record<string, string> = {};
  const folders: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const mode = ((await stat(full)).mode & 0o777).toString(8);
    (entry.isDirectory() ? folders : files)[path.relative(root, full)] = mode;
  }
  return { files, folders };
}

const only = (entries: Record<string, string>, mode: string) =>
  Object.fromEntries(Object.keys(entries).map((name) => [name, mode]));

it('writes batch blobs, tus uploads with their info files and placed documents 0600 in 0700 folders', async () => {
  const { ticketId, agent } = await enrolledTicket(api, await api.createSalesKey());
  await startedUpload(api, agent, { contact: 2 });
  expect((await putBatch(api, agent, 'contact', 0, copyText(1, 3))).status).toBe(200);

  const data = randomBytes(50_000);
  const metadata = {
    documentId: '7',
    relativePath: 'UA/2024.1/Offer.docx',
    sha256: createHash('sha256').update(data).digest('hex'),
    bytes: String(data.length),
  };
  const tus = { authorization: `Bearer ${agent.bearer}`, 'tus-resumable': '1.0.0' };
  const created = await fetch(`${api.url}/api/agent/documents`, {
    method: 'POST',
    headers: {
      ...tus,
      'upload-length': String(data.length),
      'upload-metadata': Object.entries(metadata)
        .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
        .join(','),
    },
  });
  expect(created.status).toBe(201);
  const written = await fetch(new URL(created.headers.get('location')!, api.url), {
    method: 'PATCH',
    headers: { ...tus, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    body: data,
  });
  expect(written.status).toBe(204);

  // Placed by the worker (a hard link of the upload, or a copy).
  await eventually(
    async () => {
      const [row] = await queryDatabase(
        api.database.url,
        'SELECT "storedAt" FROM "DocumentUpload" WHERE "ticketId" = $1 AND "documentId" = 7',
        [ticketId],
      );
      return row?.storedAt;
    },
    { what: 'document 7 placed', timeoutMs: 30_000, intervalMs: 100 },
  );

  const blobs = await modesUnder(api.config.blobDir);
  const blobFiles = Object.keys(blobs.files);
  expect(
    blobFiles.filter((f) => f.startsWith(path.join('tickets', ticketId, 'tables')) && f.endsWith('.gz')),
  ).toHaveLength(1);
  expect(blobFiles.filter((f) => f.startsWith(path.join('tus', `${ticketId}.`)))).toHaveLength(2); // upload and its .json
  expect(blobs.files).toEqual(only(blobs.files, '600'));
  expect(blobs.folders).toEqual(only(blobs.folders, '700'));

  const archive = await modesUnder(archives);
  const [tenant] = await queryDatabase(
    api.database.url,
    'SELECT tn."databaseName" FROM "Ticket" t JOIN "Tenant" tn ON tn.id = t."tenantId" WHERE t.id = $1',
    [ticketId],
  );
  expect(Object.keys(archive.files)).toEqual([path.join(tenant!.databaseName as string, 'UA', '2024.1', 'Offer.docx')]);
  expect(archive.files).toEqual(only(archive.files, '600'));
  expect(archive.folders).toEqual(only(archive.folders, '700'));
  // The archive root itself was made by omt here, so it is private too.
  expect(((await stat(archives)).mode & 0o777).toString(8)).toBe('700');
});
