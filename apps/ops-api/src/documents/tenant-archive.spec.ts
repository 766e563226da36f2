import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AppConfig } from '../config/config';
import { ArchiveHashMismatch, TenantArchive } from './tenant-archive';

let root: string;
let archive: TenantArchive;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'omt-tenant-archive-'));
  archive = new TenantArchive({ tenantArchiveDir: path.join(root, 'archives') } as AppConfig);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

async function upload(content: string): Promise<string> {
  const file = path.join(root, `upload-${sha256(content).slice(0, 8)}`);
  await writeFile(file, content);
  return file;
}

it('places a document by linking its upload, and a retried job (same upload again) leaves one file and no partial', async () => {
  const source = await upload('the document');
  expect(await archive.placeByLink('tenant_a', 'ua/x.doc', source, sha256('the document'))).toBe(true);
  expect(await archive.placeByLink('tenant_a', 'ua/x.doc', source, sha256('the document'))).toBe(true);
  const target = archive.fileOf('tenant_a', 'ua/x.doc');
  expect(await readFile(target, 'utf8')).toBe('the document');
  expect((await stat(target)).ino).toBe((await stat(source)).ino);
  expect(await readdir(path.join(root, 'archives', '.partial'))).toEqual([]);
  // The upload's file going (blob cleanup) leaves the archive's copy.
  await rm(source);
  expect(await archive.hashOf('tenant_a', 'ua/x.doc')).toBe(sha256('the document'));
});

it('leaves the target as it was when the upload does not hash to the expected sha256, and replaces it when it does', async () => {
  const first = await upload('version 1');
  await archive.placeByLink('tenant_a', 'x.doc', first, sha256('version 1'));
  const damaged = await upload('version 2, damaged');
  await expect(archive.placeByLink('tenant_a', 'x.doc', damaged, sha256('version 2'))).rejects.toBeInstanceOf(
    ArchiveHashMismatch,
  );
  expect(await archive.hashOf('tenant_a', 'x.doc')).toBe(sha256('version 1'));
  const second = await upload('version 2');
  await archive.placeByLink('tenant_a', 'x.doc', second, sha256('version 2'));
  expect(await archive.hashOf('tenant_a', 'x.doc')).toBe(sha256('version 2'));
  expect(await readdir(path.join(root, 'archives', '.partial'))).toEqual([]);
});

it('rejects with ENOENT when the upload is gone', async () => {
  await expect(archive.placeByLink('tenant_a', 'x.doc', path.join(root, 'gone'), sha256('x'))).rejects.toMatchObject({
    code: 'ENOENT',
  });
});

it('places again after the tenant folder and the partial folder were removed behind its back', async () => {
  const source = await upload('kept');
  await archive.placeByLink('tenant_a', 'ua/x.doc', source, sha256('kept'));
  await rm(path.join(root, 'archives'), { recursive: true });
  expect(await archive.placeByLink('tenant_a', 'ua/x.doc', source, sha256('kept'))).toBe(true);
  expect(await archive.hashOf('tenant_a', 'ua/x.doc')).toBe(sha256('kept'));
});
