import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MAX_PATH_BYTES, MAX_SEGMENT_BYTES, resolveInArchive, safeArchivePath } from './safe-archive-path';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const long = (unit: string, count: number) => unit.repeat(count);

/** What a document row might hold, from the ordinary to the hostile. */
const HOSTILE = [
  '..',
  '.',
  '../../etc/passwd',
  'ua/2024.1/../../../../etc/passwd',
  'ua/2024.1/..\\..\\..\\windows\\win.ini',
  '/etc/passwd',
  '/',
  '//',
  '\\',
  'C:\\Windows\\system32\\config\\SAM',
  'C:',
  'c:/x.doc',
  '\\\\server\\share\\secret.doc',
  '\\\\?\\C:\\very\\long.doc',
  'ua/2024.1/CON',
  'ua/2024.1/con.txt',
  'ua/2024.1/NUL.tar.gz',
  'ua/2024.1/COM1',
  'ua/2024.1/lpt9.doc',
  'ua/2024.1/COM¹.doc',
  'ua/2024.1/CON .txt',
  'AUX/report.doc',
  'ua/2024.1/a\u0000b.doc',
  'ua/2024.1/\u0000',
  'ua/2024.1/tab\there\nnewline\r.doc',
  'ua/2024.1/del\u007f.doc',
  'ua/2024.1/trailing dot.',
  'ua/2024.1/trailing space ',
  'ua/2024.1/dots...',
  'ua/2024.1/ . ',
  'ua/2024.1/<>:"|?*.doc',
  'ua/2024.1/what?.doc',
  'ua/2024.1/what_.doc',
  'ua//2024.1///x.doc',
  'ua/./2024.1/x.doc',
  'ua/2024.1/x.doc',
  `ua/2024.1/${long('a', 300)}.doc`,
  `ua/2024.1/${long('a', 255)}`,
  `ua/2024.1/${long('a', 256)}`,
  `ua/2024.1/${long('é', 200)}.pdf`,
  `ua/2024.1/${long('😀', 100)}.pdf`,
  `${long('d/', 1500)}deep.doc`,
  `${long(long('x', 250) + '/', 20)}wide.doc`,
  'ua/2024.1/caf\u00e9.doc',
  'ua/2024.1/cafe\u0301.doc',
  'ua/2024.1/\ud800lone.doc',
  'ua/2024.1/\udc00lone.doc',
  'ua/2024.1/\ufffdreplacement.doc',
  'ua/2024.1/日本語の文書.docx',
  'ua/2024.1/\u202eexe.doc',
  'ua/2024.1/x~0123456789ab.doc',
  'ua/2024.1/.htaccess',
  'ua/2024.1/-rf',
  'ua/2024.1/ leading space.doc',
];

describe('safeArchivePath', () => {
  it('keeps an ordinary archive path exactly as it is', () => {
    for (const p of [
      'ua/2024.1/x.doc',
      'ADMIN/2006.2/Offer (1).docx',
      'ua/2024.1/日本語の文書.docx',
      'ua/2024.1/.htaccess',
    ]) {
      expect(safeArchivePath(p)).toBe(p);
    }
  });

  it.each(HOSTILE.map((input) => [JSON.stringify(input).slice(0, 60), input]))(
    'maps %s to a clean path inside the archive',
    (_, input) => {
      const safe = safeArchivePath(input);
      const segments = safe.split('/');
      expect(segments.length).toBeGreaterThan(0);
      for (const segment of segments) {
        expect(segment).not.toBe('');
        expect(segment).not.toMatch(/^\.{1,2}$/);
        expect(segment).not.toMatch(/[\\<>:"|?*\u0000-\u001f\u007f]/); // eslint-disable-line no-control-regex
        expect(segment).not.toMatch(/[. ]$/);
        expect(segment.split('.')[0]!.trimEnd()).not.toMatch(/^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i);
        expect(Buffer.byteLength(segment)).toBeLessThanOrEqual(MAX_SEGMENT_BYTES);
        expect(segment).not.toMatch(LONE_SURROGATE);
      }
      expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(MAX_PATH_BYTES);
      expect(safeArchivePath(input)).toBe(safe);
      const root = path.resolve('/srv/archive/tenant_cust1');
      expect(resolveInArchive(root, input).startsWith(root + path.sep)).toBe(true);
    },
  );

  it('never maps two different rows to one file', () => {
    const outputs = new Map<string, string>();
    for (const input of new Set(HOSTILE)) {
      const safe = safeArchivePath(input);
      expect({ input, clashesWith: outputs.get(safe) }).toEqual({ input, clashesWith: undefined });
      outputs.set(safe, input);
    }
  });

  it('marks a changed name with a short hash before its extension', () => {
    expect(safeArchivePath('ua/2024.1/what?.doc')).toMatch(/^ua\/2024\.1\/what_~[0-9a-f]{12}\.doc$/);
    expect(safeArchivePath('ua/2024.1/what_.doc')).toBe('ua/2024.1/what_.doc');
    expect(safeArchivePath('../../etc/passwd')).toMatch(/^etc\/passwd~[0-9a-f]{12}$/);
    expect(safeArchivePath('ua/2024.1/CON')).toMatch(/^ua\/2024\.1\/_CON~[0-9a-f]{12}$/);
  });

  it('keeps NFC and NFD spellings as the distinct names they are', () => {
    expect(safeArchivePath('ua/2024.1/caf\u00e9.doc')).toBe('ua/2024.1/caf\u00e9.doc');
    expect(safeArchivePath('ua/2024.1/cafe\u0301.doc')).toBe('ua/2024.1/cafe\u0301.doc');
  });

  it('cuts long names at a whole code point', () => {
    const safe = safeArchivePath(`ua/2024.1/${long('😀', 100)}.pdf`);
    const file = safe.split('/').pop()!;
    expect(file).toMatch(/~[0-9a-f]{12}\.pdf$/);
    expect(file).not.toMatch(LONE_SURROGATE);
    expect(Buffer.byteLength(file)).toBeLessThanOrEqual(MAX_SEGMENT_BYTES);
  });

  it('produces names this file system accepts, all of them side by side', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'omt-safe-path-'));
    try {
      for (const input of HOSTILE) {
        const file = resolveInArchive(root, input);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, input, { flag: 'wx' });
      }
      const written = await readdir(root, { recursive: true });
      expect(written.length).toBeGreaterThanOrEqual(HOSTILE.length);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
