import { OmtError, type TicketView } from '@omt/contracts';
import type { LeftToSend } from './left-to-send';
import type { MigrateOptions, MigrateUi } from './migrate-options';

/** Asks the migrator to confirm what is left to send (unless --yes); without a terminal, nobody can. */
export async function confirmUpload(
  ticket: TicketView,
  left: LeftToSend,
  options: MigrateOptions,
  ui: MigrateUi,
): Promise<void> {
  if (options.yes) return;
  const freeze =
    ticket.kind === 'live'
      ? ' This is a live migration: the onsite database will be frozen (no logins) for the upload.'
      : '';
  const what =
    left.tables.length + left.documents === 0
      ? 'Nothing is left to upload from the earlier run. Finish the upload'
      : `Upload ${left.tables.length} tables (${left.rows} rows) and ${left.documents} documents`;
  const question = `${what} of ${ticket.companyName} to ${ticket.environment}?${freeze}`;
  if (!ui.ask)
    throw new OmtError('VALIDATION_FAILED', `${question} Nobody can confirm without a terminal: add --yes to start.`);
  if (!(await ui.ask(question)))
    throw new OmtError('VALIDATION_FAILED', 'Stopped before the upload; nothing was sent.');
}
