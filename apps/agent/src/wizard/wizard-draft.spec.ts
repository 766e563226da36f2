import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MigrationPlan } from '@omt/contracts';
import { DraftStore } from './wizard-draft';

const plan = (name: string): MigrationPlan => ({
  formatVersion: 1,
  users: [{ associateId: 1, login: 'AU', plan: 'ten-sales', loginEmail: 'au@example.com' }],
  migrator: { name, email: 'mia@partner.example', phone: '+47 22 33 44 55' },
  sendWelcomeEmails: true,
});

let dir: string;
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'omt-draft-')), 'state');
});
afterEach(() => rm(join(dir, '..'), { recursive: true, force: true }));

it('finds nothing at first, then the last saved plan, in a 0600 file of a 0700 folder', async () => {
  const { store, found } = await DraftStore.open('sample', dir);
  expect(found).toBeNull();
  // Saved without waiting in between, as fast typing does: the last one wins.
  await Promise.all([store.save(plan('one')), store.save(plan('two')), store.save(plan('three'))]);
  expect((await stat(store.file)).mode & 0o777).toBe(0o600);
  expect((await stat(dir)).mode & 0o777).toBe(0o700);
  expect(await readdir(dir)).toEqual([store.file.slice(dir.length + 1)]);

  const again = await DraftStore.open('sample', dir);
  expect(again.found).toMatchObject({ source: 'sample', plan: plan('three') });
  expect(Date.parse(again.found!.savedAt)).not.toBeNaN();
});

it('keeps one draft per source and offers none for another', async () => {
  const { store } = await DraftStore.open('db one', dir);
  await store.save(plan('one'));
  expect((await DraftStore.open('db two', dir)).found).toBeNull();
  expect((await DraftStore.open('db one', dir)).found?.plan.migrator.name).toBe('one');
});

it('treats a damaged draft as none, and discards a draft for good', async () => {
  const { store } = await DraftStore.open('sample', dir);
  await store.save(plan('one'));
  await writeFile(store.file, '{"source":"sample","plan":');
  expect((await DraftStore.open('sample', dir)).found).toBeNull();

  await store.save(plan('two'));
  await store.discard();
  expect(await readdir(dir)).toEqual([]);
  await expect(readFile(store.file)).rejects.toMatchObject({ code: 'ENOENT' });
});

it('says where it could not save, with a code', async () => {
  const { store } = await DraftStore.open('sample', dir);
  await writeFile(dir, 'a file where the folder should be');
  await expect(store.save(plan('one'))).rejects.toMatchObject({
    code: 'CONFIG_INVALID',
    message: expect.stringContaining("Cannot save the wizard's draft in"),
  });
});
