import { chmodSync, mkdirSync } from 'node:fs';
import { chmod, mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * Customer data on disk (batch blobs, tus uploads and their info files,
 * tenant archives) is readable by the service's own user only. The modes
 * are set with an explicit chmod after mkdir/open: the mode passed to those
 * is filtered by the process umask, which an operator's shell or service
 * manager may have set to anything.
 */
export const PRIVATE_FOLDER_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * mkdir -p, every folder it creates made 0700. Folders that already existed
 * keep their mode (an operator's root is theirs to set); the ones omt made
 * below it are private, which keeps what lies in them private.
 */
export async function makePrivateFolder(folder: string): Promise<void> {
  const first = await mkdir(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  if (first === undefined) return;
  await Promise.all(createdChain(path.resolve(first), path.resolve(folder)).map((f) => chmod(f, PRIVATE_FOLDER_MODE)));
}

/** makePrivateFolder, synchronously: for the boot of a store whose library creates its folder in a constructor. */
export function makePrivateFolderSync(folder: string): void {
  const first = mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  if (first === undefined) return;
  for (const f of createdChain(path.resolve(first), path.resolve(folder))) chmodSync(f, PRIVATE_FOLDER_MODE);
}

/** Opens a new file (`wx`: never an existing one) that only this user can read, whatever the umask. */
export async function openPrivateFile(file: string, flags: 'wx' | 'w' = 'wx'): Promise<FileHandle> {
  const handle = await open(file, flags, PRIVATE_FILE_MODE);
  try {
    await handle.chmod(PRIVATE_FILE_MODE);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

/** Writes a whole small file (a tus info file, an empty upload) with mode 0600. */
export async function writePrivateFile(file: string, data: string | Buffer, flags: 'wx' | 'w' = 'w'): Promise<void> {
  const handle = await openPrivateFile(file, flags);
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

/** Makes an existing file 0600 (a hard link shares the mode of its source, which may predate this rule). */
export async function makePrivateFile(file: string): Promise<void> {
  await chmod(file, PRIVATE_FILE_MODE);
}

/** The folders from `first` (the topmost one mkdir created) down to `last`. */
function createdChain(first: string, last: string): string[] {
  const chain: string[] = [];
  for (let folder = last; ; folder = path.dirname(folder)) {
    chain.push(folder);
    if (folder === first || path.dirname(folder) === folder) return chain;
  }
}
