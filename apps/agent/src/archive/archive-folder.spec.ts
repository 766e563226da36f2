import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArchiveScan, OmtError } from '@omt/contracts';
import type { CrmCatalog } from '../catalog/crm-catalog';
import { assertArchiveFolder } from './archive-folder';
import { scanArchive } from './archive-scan';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omt-archive-folder-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: OmtError) => e,
  );

/** One user UA with one appointment carrying one document, registered in January 2024. */
const catalog = {
  users: [{ associateId: 1, login: 'UA' }],
  documentAppointments: [{ documentId: 10, appointmentId: 100, associateId: 1 }],
  documents: [{ documentId: 10, appointmentId: 100, name: 'offer.docx', registered: '2024-01-15T10:00:00.000Z' }],
} as unknown as CrmCatalog;

it('refuses a folder that does not exist, saying which and how to give the right one', async () => {
  const missing = join(dir, 'SO_ARC-typo');
  const error = await refusal(assertArchiveFolder(missing));
  expect(error).toMatchObject({ code: 'ARCHIVE_UNUSABLE' });
  expect(error!.message).toBe(
    `The document archive folder ${missing} does not exist. Give the SO_ARC document archive folder with --archive <dir> (or OMT_ARCHIVE, or ArchivePath in SuperOffice.config).`,
  );
  // The scan refuses it too, before it looks at a single document.
  expect(await refusal(scanArchive(catalog, missing))).toMatchObject({ code: 'ARCHIVE_UNUSABLE' });
});

it('refuses a file given as the folder', async () => {
  const file = join(dir, 'archive.zip');
  await writeFile(file, 'PK');
  expect(await refusal(assertArchiveFolder(file))).toMatchObject({
    code: 'ARCHIVE_UNUSABLE',
    message: expect.stringContaining('is a file, not a folder'),
  });
});

it('refuses a folder that cannot be read, with the reason the system gives', async () => {
  // Permissions cannot be taken from root (these tests may run as root); a symbolic link to itself cannot be read by anyone.
  const loop = join(dir, 'loop');
  await symlink(loop, loop);
  expect(await refusal(assertArchiveFolder(loop))).toMatchObject({
    code: 'ARCHIVE_UNUSABLE',
    message: expect.stringMatching(/^The document archive folder .*loop cannot be read: ELOOP/),
  });
});

it('refuses an empty folder while the database lists documents', async () => {
  const empty = join(dir, 'empty');
  await mkdir(empty);
  await expect(assertArchiveFolder(empty)).resolves.toBeUndefined();
  const error = await refusal(scanArchive(catalog, empty));
  expect(error).toMatchObject({ code: 'ARCHIVE_UNUSABLE' });
  expect(error!.message).toMatch(
    /^None of the 1 document\(s\) the database lists is in .*empty \(the first should be UA\/2024\.1\/offer\.docx\): the folder is empty or is not the document archive\./,
  );
});

it('scans a folder that holds the documents, and an empty one when the database lists none', async () => {
  const archive = join(dir, 'SO_ARC');
  await mkdir(join(archive, 'UA', '2024.1'), { recursive: true });
  await writeFile(join(archive, 'UA', '2024.1', 'offer.docx'), 'hello');
  const scan: ArchiveScan = await scanArchive(catalog, archive);
  expect(scan.totals.ok).toEqual({ documents: 1, bytes: 5 });
  const none = { ...catalog, documents: [] } as unknown as CrmCatalog;
  await mkdir(join(dir, 'new-install'));
  expect((await scanArchive(none, join(dir, 'new-install'))).documents).toEqual([]);
});
