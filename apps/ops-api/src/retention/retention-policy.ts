import type { MigrationState } from '@omt/contracts';

/**
 * Which tickets' working copies may go, and when. Completed and cancelled
 * tickets are done with them once the grace period has passed. A ticket
 * completed with missing documents is not: recovery sends the missing ones
 * later and may re-read what is held; nor is any state still moving.
 */
export const PURGEABLE_STATES = ['completed', 'cancelled'] as const satisfies readonly MigrationState[];

const HOUR_MS = 3_600_000;

export function isPurgeable(state: MigrationState): boolean {
  return (PURGEABLE_STATES as readonly MigrationState[]).includes(state);
}

/** When a ticket that entered `state` at `enteredAt` loses its working copies; null while it keeps them. */
export function purgeAt(state: MigrationState, enteredAt: Date | null, retentionHours: number): Date | null {
  if (!isPurgeable(state) || enteredAt === null) return null;
  return new Date(enteredAt.getTime() + retentionHours * HOUR_MS);
}

/** Tickets that entered a purgeable state at or before this instant are due now. */
export function dueCutoff(now: Date, retentionHours: number): Date {
  return new Date(now.getTime() - retentionHours * HOUR_MS);
}

/** A partial file last written before this instant is abandoned: no live write is that slow. */
export function partialCutoff(now: Date, partialFileHours: number): Date {
  return new Date(now.getTime() - partialFileHours * HOUR_MS);
}
