import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ArchiveDocument, ArchiveScan } from '@omt/contracts';
import { UploadProgress } from '../upload-progress';
import { archiveDocumentPhase } from './archive-document-phase';
import { fileInArchive } from './upload-documents';

// Nothing here reaches an API (the real upload runs in test/pipeline/documents.e2e.spec.ts).
const NO_API = 'http://127.0.0.1:9';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'omt-document-phase-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const doc = (
  documentId: number,
  relativePath: string | null,
  status: ArchiveDocument['status'],
  bytes = 0,
): ArchiveDocument => ({
  documentId,
  name: relativePath?.split('/').pop() ?? '',
  relativePath,
  status,
  bytes,
});

function scanOf(root: string, documents: ArchiveDocument[]): ArchiveScan {
  const totals = Object.fromEntries(
    (['ok', 'missing-file', 'blank-name', 'no-appointment', 'owner-missing'] as const).map((s) => [
      s,
      {
        documents: documents.filter((d) => d.status === s).length,
        bytes: documents.filter((d) => d.status === s).reduce((n, d) => n + d.bytes, 0),
      },
    ]),
  ) as ArchiveScan['totals'];
  return { root, documents, totals };
}

it('finds a file only inside the archive: a row whose name climbs out has none', () => {
  const root = path.join(dir, 'SO_ARC');
  expect(fileInArchive(root, 'UA/2024.1/x.doc')).toBe(path.join(root, 'UA', '2024.1', 'x.doc'));
  expect(fileInArchive(root, 'UA/2024.1/../../x.doc')).toBe(path.join(root, 'x.doc'));
  expect(fileInArchive(root, 'UA/2024.1/../../../x.doc')).toBeNull();
  expect(fileInArchive(root, 'UA/2024.1//etc/passwd')).toBe(path.join(root, 'UA', '2024.1', 'etc', 'passwd'));
  expect(fileInArchive(root, '..')).toBeNull();
});

it("announces the scan's sendable documents and reports every one that cannot go, with its reason, without reading outside the archive", async () => {
  const root = path.join(dir, 'SO_ARC');
  await mkdir(path.join(root, 'UA', '2024.1'), { recursive: true });
  await writeFile(path.join(dir, 'outside.doc'), 'not part of the archive');
  const scan = scanOf(root, [
    doc(1, 'UA/2024.1/../../../outside.doc', 'ok', 23),
    doc(2, 'UA/2024.1/vanished.doc', 'ok', 5),
    doc(3, null, 'blank-name'),
    doc(4, 'UA/2024.1/never.doc', 'missing-file'),
  ]);
  expect(archiveDocumentPhase.planned(scan)).toEqual({ count: 2, bytes: 28 });
  expect(archiveDocumentPhase.planned(null)).toEqual({ count: 0, bytes: 0 });

  const progress = new UploadProgress();
  progress.expectDocuments(2, 28);
  const result = await archiveDocumentPhase.run({
    api: null as never,
    baseUrl: NO_API,
    agentToken: 'token',
    stateDir: path.join(dir, 'state'),
    scan,
    manifest: { limits: null, tables: [], documents: [], missingDocuments: [], uploadComplete: false },
    progress,
    signal: new AbortController().signal,
  });
  expect(result).toEqual({
    uploaded: 0,
    skipped: 0,
    bytes: 0,
    missing: [
      { documentId: 1, name: 'outside.doc', relativePath: 'UA/2024.1/../../../outside.doc', reason: 'missing-file' },
      { documentId: 2, name: 'vanished.doc', relativePath: 'UA/2024.1/vanished.doc', reason: 'missing-file' },
      { documentId: 3, name: '', relativePath: null, reason: 'blank-name' },
      { documentId: 4, name: 'never.doc', relativePath: 'UA/2024.1/never.doc', reason: 'missing-file' },
    ],
  });
  expect(progress.snapshot().documents).toEqual({ done: 1, total: 1 });
});
