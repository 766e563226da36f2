import { MIGRATION_STATE_WORDS, type MigrationState, type TicketView } from '@omt/contracts';
import { liftOnsiteFreeze } from '../source/onsite-freeze';
import { withSource, type MigrateOptions, type MigrateUi } from './migrate-options';

/** States after which a live migration's onsite freeze must go: the customer keeps working onsite. */
const FREEZE_LIFTED_IN: readonly MigrationState[] = ['failed', 'verification_failed', 'cancelled'];

/** Opens onsite logins again when a live migration ended without the cloud tenant taking over. */
export async function liftFreezeAfterFailure(
  ticket: TicketView,
  options: MigrateOptions,
  ui: MigrateUi,
): Promise<void> {
  if (ticket.kind !== 'live' || !FREEZE_LIFTED_IN.includes(ticket.state)) return;
  await withSource(options, (source) => liftOnsiteFreeze(source));
  ui.say(`The migration is ${MIGRATION_STATE_WORDS[ticket.state]}: logins to the onsite CRM are open again.`);
}
