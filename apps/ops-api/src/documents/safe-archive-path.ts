import { createHash } from 'node:crypto';
import path from 'node:path';

/**
 * Where a document lands inside a tenant's archive, from the relative path
 * its row gave (names are data, never paths). The rule:
 *
 * - `/` and `\` separate segments (the onsite archive is on Windows); empty,
 *   `.` and `..` segments are dropped, so nothing climbs out or is absolute;
 *   a drive (`C:`) or UNC host is an ordinary segment once `:` is replaced.
 * - In each segment, control characters (NUL included), `<>:"|?*` and lone
 *   UTF-16 surrogates become `_`; trailing dots and spaces are removed;
 *   Windows device names (CON, NUL, COM1, LPT¹ ..., with or without an
 *   extension) get a leading `_`. Other unicode (NFC or NFD) stays as it is.
 * - A segment is at most 255 UTF-8 bytes and the whole path at most 2048:
 *   longer ones are cut at a code point, deepest folders go first.
 * - A path that is already safe maps to itself. Any other path (or one that
 *   looks like it carries our suffix) gets `~` + 12 hex of the sha256 of the
 *   original before the file's extension, so two different rows never end up
 *   on one file.
 */
export function safeArchivePath(relativePath: string): string {
  const folders = relativePath
    .split(/[/\\]/)
    .map(cleanSegment)
    .filter((s) => s !== '');
  let file = folders.pop() ?? '_';
  const changed =
    [...folders, file].join('/') !== relativePath || SUFFIX_LIKE.test(file) || utf8Bytes(relativePath) > MAX_PATH_BYTES;
  if (changed) file = fitSegment(file, `~${suffixOf(relativePath)}`);
  while (folders.length > 0 && utf8Bytes([...folders, file].join('/')) > MAX_PATH_BYTES) folders.pop();
  return [...folders, file].join('/');
}

/**
 * The absolute file of a document under `root`. `safeArchivePath` already
 * cannot leave the root; the resolve-and-compare is a second guard should
 * that rule ever change.
 */
export function resolveInArchive(root: string, relativePath: string): string {
  const base = path.resolve(root);
  const file = path.resolve(base, ...safeArchivePath(relativePath).split('/'));
  if (!file.startsWith(base + path.sep)) {
    throw new Error(`Archive path ${JSON.stringify(relativePath.slice(0, 200))} resolves outside the archive.`);
  }
  return file;
}

export const MAX_SEGMENT_BYTES = 255;
export const MAX_PATH_BYTES = 2048;
const SUFFIX_HEX = 12;
const SUFFIX_LIKE = new RegExp(`~[0-9a-f]{${SUFFIX_HEX}}(\\.[^.]*)?$`);
// eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
const FORBIDDEN = /[\u0000-\u001f\u007f<>:"|?*]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const TRAILING = /[. ]+$/;
const DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;

function cleanSegment(segment: string): string {
  const replaced = segment.replace(LONE_SURROGATE, '_').replace(FORBIDDEN, '_');
  const cleaned = fitSegment(replaced.replace(TRAILING, ''), '').replace(TRAILING, '');
  return DEVICE.test(cleaned.split('.')[0]!.trimEnd()) ? fitSegment(`_${cleaned}`, '') : cleaned;
}

function suffixOf(original: string): string {
  // UTF-16 code units, so originals that differ only in a lone surrogate differ here too.
  return createHash('sha256').update(original, 'utf16le').digest('hex').slice(0, SUFFIX_HEX);
}

/** `report.doc` + `~abc` → `report~abc.doc`, the stem cut (at a code point) so the whole fits in one segment. */
function fitSegment(file: string, tail: string): string {
  const dot = file.lastIndexOf('.');
  const hasExtension = dot > 0 && file.length - dot <= 16;
  const stem = hasExtension ? file.slice(0, dot) : file;
  const end = `${tail}${hasExtension ? file.slice(dot) : ''}`;
  return cutToBytes(stem, MAX_SEGMENT_BYTES - utf8Bytes(end)) + end;
}

/** The longest prefix of whole code points within `max` UTF-8 bytes. */
function cutToBytes(text: string, max: number): string {
  let bytes = 0;
  let end = 0;
  for (const codePoint of text) {
    const size = utf8Bytes(codePoint);
    if (bytes + size > max) break;
    bytes += size;
    end += codePoint.length;
  }
  return text.slice(0, end);
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
