import { createHash } from 'node:crypto';

/**
 * Table names are customer data: they never become part of a path or a job
 * id. Both use the first 16 hex digits of the name's sha256 instead.
 */
export function tableKey(table: string): string {
  return createHash('sha256').update(table, 'utf8').digest('hex').slice(0, 16);
}
