import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ArchiveDocument, UploadManifest } from '@omt/contracts';
import { DirectoryUrlStorage } from '../src/upload/documents/directory-url-storage';
import { hashFile } from '../src/upload/documents/file-sha256';
import { uploadDocuments } from '../src/upload/documents/upload-documents';

// The upload itself runs against the real API in test/documents (e2e); these need no server.
const NO_API = 'http://127.0.0.1:9';
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'omt-agent-documents-'));
  await mkdir(path.join(dir, 'archive', 'UA', '2024.1'), { recursive: true });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const manifest = (documents: UploadManifest['documents'] = []): UploadManifest => ({
  limits: null,
  tables: [],
  documents,
  missingDocuments: [],
  uploadComplete: false,
});

const doc = (
  documentId: number,
  relativePath: string | null,
  status: ArchiveDocument['status'] = 'ok',
  bytes = 5,
): ArchiveDocument => ({
  documentId,
  name: relativePath?.split('/').pop() ?? '',
  relativePath,
  status,
  bytes,
});

it('reports files that vanished or cannot be read, and rows the scan could not place, without contacting the API', async () => {
  // root reads a file of mode 000 anyway: the unreadable case needs an ordinary user.
  const canLock = process.getuid?.() !== 0;
  if (canLock) {
    await writeFile(path.join(dir, 'archive', 'UA', '2024.1', 'locked.doc'), 'secret');
    await chmod(path.join(dir, 'archive', 'UA', '2024.1', 'locked.doc'), 0o000);
  }
  await mkdir(path.join(dir, 'archive', 'UA', '2024.1', 'folder.doc'));
  const result = await uploadDocuments({
    apiUrl: NO_API,
    agentToken: 'token',
    archiveRoot: path.join(dir, 'archive'),
    documents: [
      doc(1, 'UA/2024.1/gone.doc'),
      ...(canLock ? [doc(2, 'UA/2024.1/locked.doc')] : []),
      doc(3, 'UA/2024.1/folder.doc'),
      doc(4, null, 'blank-name', 0),
      doc(5, null, 'owner-missing', 0),
    ],
    manifest: manifest(),
    stateDir: path.join(dir, 'state'),
  });
  expect(result.uploaded).toBe(0);
  expect(result.failed).toHaveLength(canLock ? 5 : 4);
  expect(result.failed).toEqual(
    expect.arrayContaining([
      { documentId: 1, name: 'gone.doc', relativePath: 'UA/2024.1/gone.doc', reason: 'missing-file' },
      { documentId: 3, name: 'folder.doc', relativePath: 'UA/2024.1/folder.doc', reason: 'missing-file' },
      { documentId: 4, name: '', relativePath: null, reason: 'blank-name' },
      { documentId: 5, name: '', relativePath: null, reason: 'owner-missing' },
      ...(!canLock
        ? []
        : [{ documentId: 2, name: 'locked.doc', relativePath: 'UA/2024.1/locked.doc', reason: 'missing-file' }]),
    ]),
  );
});

it('skips a document that landed with the same sha256 and counts it as done', async () => {
  await writeFile(path.join(dir, 'archive', 'UA', '2024.1', 'a.txt'), 'hello');
  const progress: number[] = [];
  const result = await uploadDocuments({
    apiUrl: NO_API,
    agentToken: 'token',
    archiveRoot: path.join(dir, 'archive'),
    documents: [doc(1, 'UA/2024.1/a.txt')],
    manifest: manifest([{ documentId: 1, relativePath: 'UA/2024.1/a.txt', sha256: sha256('hello'), bytes: 5 }]),
    stateDir: path.join(dir, 'state'),
    onProgress: (p) => progress.push(p.documents.done),
  });
  expect(result).toEqual({ uploaded: 0, skipped: 1, bytesSent: 0, failed: [] });
  expect(progress).toEqual([1]);
});

it('fails (for the next run to resume) when the API cannot be reached, and stops when aborted', async () => {
  await writeFile(path.join(dir, 'archive', 'UA', '2024.1', 'a.txt'), 'hello');
  const abort = new AbortController();
  const run = uploadDocuments({
    apiUrl: NO_API,
    agentToken: 'token',
    archiveRoot: path.join(dir, 'archive'),
    documents: [doc(1, 'UA/2024.1/a.txt')],
    manifest: manifest(),
    stateDir: path.join(dir, 'state'),
    signal: abort.signal,
  });
  abort.abort(new Error('Ctrl-C'));
  await expect(run).rejects.toThrow('Ctrl-C');
});

it('hashes a file by streaming it', async () => {
  await writeFile(path.join(dir, 'f'), 'x'.repeat(100_000));
  expect(await hashFile(path.join(dir, 'f'), 0)).toEqual({ sha256: sha256('x'.repeat(100_000)), bytes: 100_000 });
  expect(await hashFile(path.join(dir, 'missing'))).toBeNull();
});

describe('DirectoryUrlStorage', () => {
  it('keeps one upload URL per fingerprint across instances, and drops an entry a crash cut short', async () => {
    const state = path.join(dir, 'state');
    const upload = {
      size: 5,
      metadata: {},
      creationTime: 'now',
      urlStorageKey: '',
      uploadUrl: 'http://api/u/1',
      parallelUploadUrls: null,
    };
    const key = await new DirectoryUrlStorage(state).addUpload('omt-document:1:abc', upload);
    await new DirectoryUrlStorage(state).addUpload('omt-document:1:abc', { ...upload, uploadUrl: 'http://api/u/2' });
    const again = new DirectoryUrlStorage(state);
    expect(await again.findUploadsByFingerprint('omt-document:1:abc')).toEqual([
      expect.objectContaining({ uploadUrl: 'http://api/u/2', urlStorageKey: key }),
    ]);
    expect(await again.findUploadsByFingerprint('omt-document:2:abc')).toEqual([]);

    const [file] = await readdir(state);
    await writeFile(path.join(state, file!), '{"uploadUrl": "http://api/u');
    expect(await again.findUploadsByFingerprint('omt-document:1:abc')).toEqual([]);
    await again.addUpload('omt-document:1:abc', upload);
    await again.removeUpload(key);
    expect(await again.findAllUploads()).toEqual([]);
  });
});
