import type { MigrationKind } from '@omt/contracts';
import type { SourceConnector } from './source-connector';

/**
 * The "no login" system event omt sets onsite for a live migration's final
 * upload: the Windows client and Service refuse to log in while it is there
 * (Web still can). This is the one place that names it. The key the onsite
 * CRM looks for is not public (domain.md, open points); change it here.
 */
export const NO_LOGIN_EVENT = {
  key: 'NoLogin',
  message: 'The CRM is being moved to CRM Online (omt). Logins are blocked until the migration has finished.',
} as const;

type EventWriter = Pick<SourceConnector, 'setSystemEvent' | 'clearSystemEvent'>;

/**
 * Runs the final upload of a migration. A live one freezes the onsite
 * installation first and lifts the freeze if the upload fails or is
 * cancelled (it throws); when it succeeds the freeze stays, since the
 * customer now works online. A test migration leaves the onsite database
 * untouched.
 */
export async function withOnsiteFreeze<T>(
  source: EventWriter,
  kind: MigrationKind,
  upload: () => Promise<T>,
): Promise<T> {
  if (kind !== 'live') return upload();
  await source.setSystemEvent(NO_LOGIN_EVENT.key, NO_LOGIN_EVENT.message);
  try {
    return await upload();
  } catch (error) {
    await liftOnsiteFreeze(source).catch((liftError: unknown) => {
      throw new AggregateError(
        [error, liftError],
        `The upload stopped and the onsite freeze could not be lifted: delete the SystemEvent row '${NO_LOGIN_EVENT.key}' by hand.`,
      );
    });
    throw error;
  }
}

/** Removes the freeze, e.g. when an agent restarts and finds the ticket cancelled or failed. Harmless when there is none. */
export async function liftOnsiteFreeze(source: EventWriter): Promise<void> {
  await source.clearSystemEvent(NO_LOGIN_EVENT.key);
}
