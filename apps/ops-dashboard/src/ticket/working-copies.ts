import type { MigrationState, TicketRetention } from '@omt/contracts';
import { formatBytes, formatCount } from '../format/format';

/** `8 Dec 14:00` (and `8 Dec` for a day) in the reader's time zone, or the one given (tests). */
function dayAndTime(iso: string, withTime: boolean, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
    timeZone,
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const day = `${part('day')} ${part('month')}`;
  return withTime ? `${day} ${part('hour')}:${part('minute')}` : day;
}

/**
 * The ticket page's "Working copies" line: what omt still holds of the
 * uploaded data (not the tenant's own) and when it goes, e.g.
 * `12 MB held until 8 Dec 14:00`, `deleted 8 Dec`, `3 MB held while the migration runs`.
 */
export function workingCopiesLine(retention: TicketRetention, state: MigrationState, timeZone?: string): string {
  if (retention.purgedAt !== null) return `deleted ${dayAndTime(retention.purgedAt, false, timeZone)}`;
  const files = retention.batchFiles + retention.uploadFiles;
  if (files === 0) return 'none held';
  const held = `${formatBytes(retention.batchBytes + retention.uploadBytes)} held`;
  if (retention.purgeAt !== null) return `${held} until ${dayAndTime(retention.purgeAt, true, timeZone)}`;
  if (state === 'completed_with_missing_documents') return `${held} while missing documents may still be recovered`;
  return `${held} while the migration runs`;
}

/** The hover text: what the bytes are. */
export function workingCopiesTitle(retention: TicketRetention): string {
  return `${formatCount(retention.batchFiles)} batch file(s), ${formatCount(retention.uploadFiles)} document upload(s); the tenant's own data is never deleted`;
}
