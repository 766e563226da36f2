import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OmtError } from '@omt/contracts';
import { Prng } from './prng';
import type { SampleDatabase } from './sample-generator';

/** Marks a folder as written by the sample, so a rebuild may clear it and nothing else. */
export const SAMPLE_ARCHIVE_MARKER = '.omt-sample-archive';
const BLOCK_BYTES = 1024 * 1024;

/**
 * Writes the SO_ARC archive of a sample: one file per document row that has
 * one, with deterministic content (a header naming the document, then bytes
 * from a seeded block), plus the folders that are not documents.
 */
export async function writeSampleArchive(sample: SampleDatabase, root: string, seed: number): Promise<{ files: number; bytes: number }> {
  await prepareRoot(root);
  const block = new Prng(`${seed}:archive`).bytes(BLOCK_BYTES);
  let files = 0;
  let bytes = 0;
  for (const doc of sample.documents) {
    if (!doc.relativePath) continue;
    const path = join(root, ...doc.relativePath.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, fileContent(doc.documentId, doc.name, doc.bytes, block));
    files++;
    bytes += doc.bytes;
  }
  await writeNonDocuments(sample, root);
  return { files, bytes };
}

function fileContent(documentId: number, name: string, size: number, block: Buffer): Buffer {
  const out = Buffer.alloc(size);
  const header = Buffer.from(`omt sample document ${documentId}: ${name}\n`);
  header.copy(out, 0, 0, Math.min(header.length, size));
  let offset = (documentId * 7919) % BLOCK_BYTES;
  for (let at = header.length; at < size; ) {
    const n = Math.min(size - at, BLOCK_BYTES - offset);
    block.copy(out, at, offset, offset + n);
    at += n;
    offset = 0;
  }
  return out;
}

async function writeNonDocuments(sample: SampleDatabase, root: string): Promise<void> {
  const extras: Record<string, string> = {
    'Template/Offer template.docx': 'template',
    'Template/Letter – brev.doc': 'template',
    'Data/settings.dat': 'data',
    'Wishlist/readme.txt': 'wishlist',
    'SCRIPTS/startup.vbs': "' startup script",
  };
  for (const user of sample.users.filter((u) => u.type === 0).slice(0, 3)) extras[`${user.login}/mail.htm`] = '<html></html>';
  for (const [relative, content] of Object.entries(extras)) {
    const path = join(root, ...relative.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}

async function prepareRoot(root: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(root);
  } catch {
    // Does not exist yet.
  }
  if (entries.length > 0 && !entries.includes(SAMPLE_ARCHIVE_MARKER)) {
    throw new OmtError('CONFLICT', `The archive folder ${root} is not empty and was not written by sample-db; choose an empty folder.`);
  }
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  await writeFile(join(root, SAMPLE_ARCHIVE_MARKER), 'written by omt-agent sample-db; may be replaced\n');
}
