import { safeArchivePath } from '../documents/safe-archive-path';
import { storedDocumentName } from './document-names';

describe('storedDocumentName', () => {
  it('leaves a document stored under its own name alone', () => {
    expect(storedDocumentName('UA/2024.1/Offer (1).docx')).toBeNull();
    expect(storedDocumentName('UA/2024.1/sub/日本語.docx')).toBeNull();
  });

  it('names the stored file below the owner folder, so <owner>/<period>/<name> finds it', () => {
    for (const relativePath of [
      'UA/2024.1/what?.doc',
      'UA/2024.1/..\\..\\..\\windows\\win.ini',
      'UA/2024.1//etc/passwd',
      'UA/2024.1/C:\\Windows\\x.doc',
      'UA/2024.1/CON.txt',
      'UA/2024.1/sub/x?.doc',
      `UA/2024.1/${'é'.repeat(200)}.pdf`,
    ]) {
      const stored = safeArchivePath(relativePath);
      const renamed = storedDocumentName(relativePath)!;
      expect(renamed.moved).toBe(false);
      expect(`UA/2024.1/${renamed.name}`).toBe(stored);
    }
    expect(storedDocumentName('UA/2024.1/what?.doc')!.name).toMatch(/^what_~[0-9a-f]{12}\.doc$/);
    expect(storedDocumentName('UA/2024.1/..\\..\\x.doc')!.name).toMatch(/^x~[0-9a-f]{12}\.doc$/);
  });

  it('falls back to the stored file name when the owner folder changed or the column is too short', () => {
    const login = storedDocumentName('U:A/2024.1/x.doc')!;
    expect(login).toEqual({ name: safeArchivePath('U:A/2024.1/x.doc').split('/').pop(), moved: true });
    const deep = storedDocumentName('UA/2024.1/C:\\Windows\\x.doc', 12)!;
    expect(deep).toEqual({ name: safeArchivePath('UA/2024.1/C:\\Windows\\x.doc').split('/').pop(), moved: true });
  });
});
