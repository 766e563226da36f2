import { randomBytes } from 'node:crypto';

/**
 * The one grammar of everything the blob store holds. Upload ids arrive in
 * URLs (decoded, so `%2F` is already a `/`), blob keys in job payloads: both
 * are parsed here, whole, before any of them is joined into a path, looked
 * up or recorded. There is no "mostly right": a prefix check let
 * `<own ticket>./../<other upload>` through once.
 *
 *   ticket id   lowercase uuid (PostgreSQL's text form of the Ticket id)
 *   upload id   `<ticket id>.<32 lowercase hex>`
 *   tus key     `tus/<upload id>`
 *   batch key   `tickets/<ticket id>/tables/<16 hex table key>/<sequence>-<12 hex>.gz`
 *   part key    `tickets/<ticket id>/tables/<16 hex table key>/<sequence>-parts/<part>.gz`
 *               (a batch sent in parts; the ledger records the folder, `…/<sequence>-parts`)
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** A decimal sequence as `${number}` writes it: no sign, no leading zero, no exponent. */
const SEQUENCE = '0|[1-9][0-9]{0,15}';

const TICKET_ID = new RegExp(`^${UUID}$`);
const UPLOAD_ID = new RegExp(`^(${UUID})\\.[0-9a-f]{32}$`);
const TUS_KEY = new RegExp(`^tus/((${UUID})\\.[0-9a-f]{32})$`);
const BATCH_KEY = new RegExp(`^tickets/(${UUID})/tables/([0-9a-f]{16})/(${SEQUENCE})-[0-9a-f]{12}\\.gz$`);
const PARTS_FOLDER = new RegExp(`^tickets/(${UUID})/tables/([0-9a-f]{16})/(${SEQUENCE})-parts$`);
const PART_KEY = new RegExp(`^tickets/(${UUID})/tables/([0-9a-f]{16})/(${SEQUENCE})-parts/(${SEQUENCE})\\.gz$`);

/** The folder of the blob store that tus' file store writes document uploads into. */
export const TUS_FOLDER = 'tus';

export type ParsedBlobKey =
  | { kind: 'upload'; ticketId: string; uploadId: string }
  | { kind: 'batch'; ticketId: string; tableKey: string; sequence: number }
  | { kind: 'part'; ticketId: string; tableKey: string; sequence: number; part: number };

export function isTicketId(value: unknown): value is string {
  return typeof value === 'string' && TICKET_ID.test(value);
}

/** The ticket of a well-formed upload id; null for anything else (a path, a stray character, a wrong case). */
export function parseUploadId(value: unknown): { ticketId: string; uploadId: string } | null {
  if (typeof value !== 'string') return null;
  const match = UPLOAD_ID.exec(value);
  return match ? { ticketId: match[1]!, uploadId: value } : null;
}

/** True only for a well-formed upload id of this ticket: another ticket's is "no such upload", as is garbage. */
export function isUploadOf(uploadId: unknown, ticketId: string): uploadId is string {
  return parseUploadId(uploadId)?.ticketId === ticketId;
}

export function newUploadId(ticketId: string): string {
  assertTicketId(ticketId);
  return `${ticketId}.${randomBytes(16).toString('hex')}`;
}

export function uploadBlobKey(uploadId: string): string {
  if (!parseUploadId(uploadId)) throw new InvalidBlobKey(uploadId);
  return `${TUS_FOLDER}/${uploadId}`;
}

/**
 * Where one arrival of a batch is stored; `tableKey` is the table name's
 * hash (upload-keys.ts), never the name. Each arrival gets a random suffix.
 */
export function batchBlobKey(ticketId: string, tableKey: string, sequence: number): string {
  const key = `tickets/${ticketId}/tables/${tableKey}/${sequence}-${randomBytes(6).toString('hex')}.gz`;
  if (!BATCH_KEY.test(key)) throw new InvalidBlobKey(key);
  return key;
}

/**
 * The folder of a batch sent in parts: one per sequence, so a part sent
 * again replaces itself (a retry is harmless) until the batch is committed.
 */
export function batchPartsFolder(ticketId: string, tableKey: string, sequence: number): string {
  const folder = `tickets/${ticketId}/tables/${tableKey}/${sequence}-parts`;
  if (!PARTS_FOLDER.test(folder)) throw new InvalidBlobKey(folder);
  return folder;
}

/** One part (from 0) of a batch sent in parts, inside its folder. */
export function batchPartKey(folder: string, part: number): string {
  const key = `${folder}/${part}.gz`;
  if (!PART_KEY.test(key)) throw new InvalidBlobKey(key);
  return key;
}

/** What a blob key names; null unless it is exactly one of the forms above. */
export function parseBlobKey(key: unknown): ParsedBlobKey | null {
  if (typeof key !== 'string') return null;
  const tus = TUS_KEY.exec(key);
  if (tus) return { kind: 'upload', ticketId: tus[2]!, uploadId: tus[1]! };
  const batch = BATCH_KEY.exec(key);
  if (batch) return { kind: 'batch', ticketId: batch[1]!, tableKey: batch[2]!, sequence: Number(batch[3]) };
  const part = PART_KEY.exec(key);
  if (part) {
    return { kind: 'part', ticketId: part[1]!, tableKey: part[2]!, sequence: Number(part[3]), part: Number(part[4]) };
  }
  return null;
}

/**
 * Every prefix under which a ticket's blobs lie: its batches' folder and
 * its uploads (named after it, in the shared tus folder). Removing these
 * removes all of the ticket's working copies and nothing of another's.
 */
export function ticketBlobPrefixes(ticketId: string): string[] {
  assertTicketId(ticketId);
  return [`tickets/${ticketId}/`, `${TUS_FOLDER}/${ticketId}.`];
}

/** True only for a prefix ticketBlobPrefixes builds. */
export function isTicketBlobPrefix(prefix: string): boolean {
  return new RegExp(`^(?:tickets/${UUID}/|${TUS_FOLDER}/${UUID}\\.)$`).test(prefix);
}

/** A key (or id, or prefix) outside the grammar reached the store: a bug or an attack, never a file to touch. */
export class InvalidBlobKey extends Error {
  constructor(key: unknown) {
    super(`Invalid blob key ${JSON.stringify(String(key).slice(0, 200))}.`);
  }
}

function assertTicketId(ticketId: string): void {
  if (!isTicketId(ticketId)) throw new InvalidBlobKey(ticketId);
}
