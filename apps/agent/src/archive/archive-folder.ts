import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { OmtError, type ArchiveScan } from '@omt/contracts';

const WHERE =
  'Give the SO_ARC document archive folder with --archive <dir> (or OMT_ARCHIVE, or ArchivePath in SuperOffice.config).';

/**
 * The archive folder exists, is a folder and can be listed. Checked before
 * anything else happens (enrollment, checks, freeze, upload): a mistyped
 * path would otherwise migrate every document as "missing".
 */
export async function assertArchiveFolder(root: string): Promise<void> {
  const where = resolve(root);
  let isFolder: boolean;
  try {
    isFolder = (await stat(where)).isDirectory();
  } catch (error) {
    throw folderError(where, error);
  }
  if (!isFolder)
    throw new OmtError('ARCHIVE_UNUSABLE', `The document archive ${where} is a file, not a folder. ${WHERE}`);
  try {
    await readdir(where);
  } catch (error) {
    throw folderError(where, error);
  }
}

function folderError(where: string, error: unknown): OmtError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new OmtError('ARCHIVE_UNUSABLE', `The document archive folder ${where} does not exist. ${WHERE}`);
  if (code === 'EACCES' || code === 'EPERM')
    return new OmtError(
      'ARCHIVE_UNUSABLE',
      `The document archive folder ${where} cannot be read by this user (${code}). Run the agent as a user who can read it, or grant read access.`,
    );
  return new OmtError(
    'ARCHIVE_UNUSABLE',
    `The document archive folder ${where} cannot be read: ${(error as Error).message}. ${WHERE}`,
  );
}

/**
 * The database lists documents, their rows lead to files, and not one of
 * those files is in the folder: an empty folder or the wrong one, not a
 * migration with every document missing.
 */
export function assertArchiveHoldsDocuments(scan: ArchiveScan): void {
  const expected = scan.totals['missing-file'].documents;
  if (expected === 0 || scan.totals.ok.documents > 0) return;
  const example = scan.documents.find((d) => d.status === 'missing-file')?.relativePath;
  throw new OmtError(
    'ARCHIVE_UNUSABLE',
    `None of the ${expected} document(s) the database lists is in ${resolve(scan.root)}` +
      `${example ? ` (the first should be ${example})` : ''}: the folder is empty or is not the document archive. ${WHERE}`,
  );
}
