import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DirectoryBlobStore, assertBlobKey } from './blob-store';

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
  it('stores buffers and streams under nested keys, and reads them back', async () => {
    await store.put('tickets/t1/tables/0', Buffer.from('a\tb\n'));
    await store.put('tickets/t1/docs/x.pdf', Readable.from([Buffer.from('%PDF'), Buffer.from('-1.7')]));
    expect(await text(await store.get('tickets/t1/tables/0'))).toBe('a\tb\n');
    expect(await text(await store.get('tickets/t1/docs/x.pdf'))).toBe('%PDF-1.7');
    expect(await store.has('tickets/t1/tables/0')).toBe(true);
    expect(await store.has('tickets/t1/tables/1')).toBe(false);
    await store.put('tickets/t1/tables/0', Buffer.from('replaced\n'));
    expect(await text(await store.get('tickets/t1/tables/0'))).toBe('replaced\n');
    await store.delete('tickets/t1/tables/0');
    expect(await store.has('tickets/t1/tables/0')).toBe(false);
  });

  it('deletes by prefix: a folder of keys, or the keys of a folder starting with a name', async () => {
    const keys = [
      'tickets/t1/tables/a/0',
      'tickets/t1/docs/x',
      'tickets/t10/tables/a/0',
      'tus/t1.aa',
      'tus/t1.aa.json',
      'tus/t10.bb',
    ];
    for (const key of keys) await store.put(key, Buffer.from(key));
    await store.deletePrefix('tickets/t1/');
    await store.deletePrefix('tus/t1.');
    await store.deletePrefix('tus/nothing-here.');
    await store.deletePrefix('absent/folder/');
    const left = await Promise.all(keys.map((key) => store.has(key)));
    expect(left).toEqual([false, false, true, false, false, true]);
  });

  it.each(['', 'tickets', '/', '../', 'tickets/../x/', 'tus/..', 'tus/a*'])('refuses prefix %j', async (prefix) => {
    await expect(store.deletePrefix(prefix)).rejects.toThrow(/Invalid blob (key|prefix)/);
  });

  it('leaves no partial blob when the source fails', async () => {
    async function* failing() {
      yield Buffer.from('half');
      throw new Error('upload cut');
    }
    await expect(store.put('k/v', Readable.from(failing()))).rejects.toThrow('upload cut');
    expect(await store.has('k/v')).toBe(false);
    expect(await readdir(path.join(root, 'k'))).toEqual([]);
  });

  it('rejects a missing blob on get', async () => {
    await expect(store.get('nope')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each(['../x', 'a/../../x', '/etc/passwd', 'a//b', '', 'a/./b', '.hidden', 'a\\b', 'a/b/'])(
    'refuses key %j',
    async (key) => {
      expect(() => assertBlobKey(key)).toThrow(/Invalid blob key/);
      await expect(store.put(key, Buffer.from('x'))).rejects.toThrow(/Invalid blob key/);
      await expect(store.has(key)).rejects.toThrow(/Invalid blob key/);
    },
  );
});
