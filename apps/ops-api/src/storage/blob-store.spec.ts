import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DirectoryBlobStore, assertBlobKey } from './blob-store';
import { batchBlobKey, ticketBlobPrefixes, uploadBlobKey } from './blob-store-keys';

const t1 = '11111111-1111-4111-8111-111111111111';
const t2 = '22222222-2222-4222-8222-222222222222';
const table = '0123456789abcdef';
const batch = (ticket: string, sequence: number) => batchBlobKey(ticket, table, sequence);
const upload = (ticket: string, hex: string) => uploadBlobKey(`${ticket}.${hex.repeat(32)}`);

let root: string;
let store: DirectoryBlobStore;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'omt-blob-spec-'));
  store = new DirectoryBlobStore(root);
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('DirectoryBlobStore', () => {
  it('stores buffers and streams under batch and upload keys, and reads them back', async () => {
    const first = batch(t1, 0);
    const document = upload(t1, 'a');
    await store.put(first, Buffer.from('a\tb\n'));
    await store.put(document, Readable.from([Buffer.from('%PDF'), Buffer.from('-1.7')]));
    expect(await text(await store.get(first))).toBe('a\tb\n');
    expect(await text(await store.get(document))).toBe('%PDF-1.7');
    expect(await store.has(first)).toBe(true);
    expect(await store.has(batch(t1, 1))).toBe(false);
    await store.put(first, Buffer.from('replaced\n'));
    expect(await text(await store.get(first))).toBe('replaced\n');
    await store.delete(first);
    expect(await store.has(first)).toBe(false);
  });

  it('writes blobs 0600 in folders it makes 0700, whatever the umask', async () => {
    const key = batch(t1, 3);
    const umask = process.umask(0o000);
    try {
      await store.put(key, Buffer.from('x'));
    } finally {
      process.umask(umask);
    }
    expect((await stat(path.join(root, ...key.split('/')))).mode & 0o777).toBe(0o600);
    for (let folder = path.dirname(path.join(root, ...key.split('/'))); folder !== root; folder = path.dirname(folder))
      expect([folder, (await stat(folder)).mode & 0o777]).toEqual([folder, 0o700]);
  });

  it("deletes a ticket's prefixes: its batches and its uploads, nobody else's", async () => {
    const keys = [batch(t1, 0), batch(t1, 1), batch(t2, 0), upload(t1, 'a'), upload(t1, 'b'), upload(t2, 'a')];
    for (const key of keys) await store.put(key, Buffer.from(key));
    for (const prefix of ticketBlobPrefixes(t1)) await store.deletePrefix(prefix);
    const left = await Promise.all(keys.map((key) => store.has(key)));
    expect(left).toEqual([false, false, true, false, false, true]);
    // Nothing stored for a ticket is no error.
    for (const prefix of ticketBlobPrefixes('33333333-3333-4333-8333-333333333333')) await store.deletePrefix(prefix);
  });

  it.each([
    '',
    'tickets',
    'tickets/',
    'tus/',
    '/',
    '../',
    'tickets/../x/',
    'tus/..',
    'tus/a*',
    `tus/${t1}`,
    'absent/folder/',
  ])('refuses prefix %j', async (prefix) => {
    await expect(store.deletePrefix(prefix)).rejects.toThrow(/Invalid blob key/);
  });

  it('leaves no partial blob when the source fails', async () => {
    async function* failing() {
      yield Buffer.from('half');
      throw new Error('upload cut');
    }
    const key = batch(t1, 7);
    await expect(store.put(key, Readable.from(failing()))).rejects.toThrow('upload cut');
    expect(await store.has(key)).toBe(false);
    expect(await readdir(path.dirname(path.join(root, ...key.split('/'))))).toEqual([]);
  });

  it('rejects a missing blob on get', async () => {
    await expect(store.get(batch(t1, 9))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    '../x',
    'a/../../x',
    '/etc/passwd',
    'a//b',
    '',
    'a/./b',
    '.hidden',
    'a\\b',
    'a/b/',
    'k/v',
    `tus/${t1}./../${t2}.${'a'.repeat(32)}`,
    `tus/${t1}.${'a'.repeat(32)}.json`,
    `tickets/${t1}/tables/person/0`,
  ])('refuses key %j', async (key) => {
    expect(() => assertBlobKey(key)).toThrow(/Invalid blob key/);
    await expect(store.put(key, Buffer.from('x'))).rejects.toThrow(/Invalid blob key/);
    await expect(store.has(key)).rejects.toThrow(/Invalid blob key/);
    await expect(store.get(key)).rejects.toThrow(/Invalid blob key/);
    await expect(store.delete(key)).rejects.toThrow(/Invalid blob key/);
    expect(await readdir(root)).toEqual([]);
  });
});
