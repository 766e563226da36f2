import { z } from 'zod';
import { queueCountsSchema, ticketProgressedSchema } from './events';
import type { MigrationState } from './migration-state';
import { migratorContactSchema } from './plan';
import { ticketViewSchema } from './ticket';

/**
 * What the operations dashboard reads beyond the tickets API: every ticket's
 * figures for the list, and the health of the queues.
 *
 *   GET /api/tickets-overview   ListTicketsQuery → TicketOverviewList (ops, admin)
 *   GET /api/queues             → QueueHealth (ops, admin); `queues.measured` pushes the counts every few seconds
 */

export type QueueCounts = z.infer<typeof queueCountsSchema>;

/** The newest line of a ticket's audit trail: "the last thing it did". */
export const lastEventSchema = z.object({
  action: z.string(),
  actor: z.string(),
  at: z.iso.datetime(),
  reason: z.string().nullable(),
});
export type LastEvent = z.infer<typeof lastEventSchema>;

export const ticketOverviewSchema = z.object({
  ticket: ticketViewSchema,
  /** The figures `ticket.progressed` carries, computed the same way, so a live event simply replaces them. */
  progress: ticketProgressedSchema,
  /** From the plan; null until the agent sent one. */
  migrator: migratorContactSchema.nullable(),
  /** Start of the customer's downtime (the first upload). */
  uploadStartedAt: z.iso.datetime().nullable(),
  /** When the migration first reached a final state after the upload started: the end of the downtime. */
  finishedAt: z.iso.datetime().nullable(),
  /** The latest sign of progress: agent activity, a batch or document arriving or imported, an audit event. */
  lastProgressAt: z.iso.datetime().nullable(),
  lastEvent: lastEventSchema.nullable(),
});
export type TicketOverview = z.infer<typeof ticketOverviewSchema>;

export const ticketOverviewListSchema = z.object({
  items: z.array(ticketOverviewSchema),
  total: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
  offset: z.number().int().nonnegative(),
  /** OMT_STALLED_AFTER_MINUTES, so the dashboard marks rows stalled by the same rule as the API. */
  stalledAfterMinutes: z.number().positive(),
}).meta({ description: 'One page of tickets with their figures, for the dashboard.' });
export type TicketOverviewList = z.infer<typeof ticketOverviewListSchema>;

export const stalledTicketSchema = z.object({
  ticket: ticketViewSchema.pick({ id: true, customerId: true, companyName: true, state: true, kind: true }),
  lastProgressAt: z.iso.datetime().nullable(),
  lastEvent: lastEventSchema.nullable(),
});
export type StalledTicket = z.infer<typeof stalledTicketSchema>;

export const queueHealthSchema = z.object({
  queues: z.array(queueCountsSchema),
  at: z.iso.datetime(),
  stalledAfterMinutes: z.number().positive(),
  /** Migrations that should be moving and have shown no progress for `stalledAfterMinutes`, longest silent first. */
  stalled: z.array(stalledTicketSchema),
}).meta({ description: 'Jobs per queue and the migrations that have stalled.' });
export type QueueHealth = z.infer<typeof queueHealthSchema>;

/**
 * States in which something should be happening without anyone's decision:
 * only these can stall. Waiting for the migrator (enrolled, ready) or for
 * ops (failed) is not a stall.
 */
export const STALLABLE_STATES: readonly MigrationState[] = [
  'uploading',
  'importing',
  'verifying',
  'configuring',
  'recovering',
];

/** The customer's downtime ends when the migration first reaches one of these after the upload started. */
export const DOWNTIME_END_STATES: readonly MigrationState[] = [
  'completed',
  'completed_with_missing_documents',
  'cancelled',
];

/** One rule for the API's stalled list and the dashboard's row marker. */
export function isStalled(
  state: MigrationState,
  lastProgressAt: string | null,
  now: Date,
  stalledAfterMinutes: number,
): boolean {
  if (!STALLABLE_STATES.includes(state) || lastProgressAt === null) return false;
  return now.getTime() - Date.parse(lastProgressAt) >= stalledAfterMinutes * 60_000;
}
