import { OmtError } from '@omt/contracts';
import type { LeaseHolder } from './lease-store';

/** TICKET_LEASED naming who holds the ticket and until when, so the migrator can find (or wait out) the other agent. */
export function leaseRefusal(holder: LeaseHolder): OmtError {
  return new OmtError(
    'TICKET_LEASED',
    `Another agent works on this ticket: process ${holder.pid} on ${holder.host}, since ${holder.since}. ` +
      `Its lease lapses at ${holder.lapsesAt} unless that agent renews it; stop that agent, or wait until then and start again.`,
    [
      { path: 'host', message: holder.host },
      { path: 'pid', message: String(holder.pid) },
      { path: 'since', message: holder.since },
      { path: 'lapsesAt', message: holder.lapsesAt },
    ],
  );
}
