import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hashFile } from './file-sha256';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'omt-file-sha256-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

it('keeps the bytes of a small file (sent from memory), streams a larger one, and hashes both the same way', async () => {
  const data = randomBytes(200_000);
  const file = path.join(dir, 'doc.bin');
  await writeFile(file, data);

  const small = await hashFile(file, data.length);
  expect(small).toEqual({ sha256: sha256(data), bytes: data.length, data });

  const large = await hashFile(file, data.length - 1);
  expect(large).toEqual({ sha256: sha256(data), bytes: data.length });
  expect(large).not.toHaveProperty('data');
});

it('answers null for a missing file or a folder', async () => {
  expect(await hashFile(path.join(dir, 'nothing.bin'))).toBeNull();
  expect(await hashFile(dir)).toBeNull();
});
