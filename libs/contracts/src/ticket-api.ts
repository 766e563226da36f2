import { z } from 'zod';
import { migrationKindSchema, migrationStateSchema } from './migration-state';
import { createTicketResponseSchema, customerIdSchema, ticketViewSchema } from './ticket';

/** Ticket ids are UUIDs; anything else is a client mistake (400), not a miss (404). */
export const ticketIdParamSchema = z.object({ id: z.uuid('must be a ticket id (UUID)') }).strict();

/** `POST /api/tickets/:id/failures/:jobId/retry`: a failed job of the ticket (ids as TicketDetail.failures lists them). */
export const ticketJobParamSchema = z
  .object({ id: z.uuid('must be a ticket id (UUID)'), jobId: z.string().min(1).max(512) })
  .strict();

/** `GET /api/tickets` query: filters and offset paging. */
export const listTicketsQuerySchema = z
  .object({
    state: migrationStateSchema.optional().meta({ description: 'Only tickets in this state.' }),
    kind: migrationKindSchema.optional().meta({ description: 'Only test or only live migrations.' }),
    customerId: customerIdSchema.optional().meta({ description: "Only this customer's tickets." }),
    limit: z.coerce.number().int().min(1).max(200).default(50).meta({ description: 'Tickets per page.' }),
    offset: z.coerce
      .number()
      .int()
      .min(0)
      .default(0)
      .meta({ description: 'Tickets to skip: the page times the limit.' }),
  })
  .strict();
export type ListTicketsQuery = z.infer<typeof listTicketsQuerySchema>;

export const ticketListSchema = z
  .object({
    items: z.array(ticketViewSchema),
    /** Tickets matching the filters, over all pages. */
    total: z.number().int().nonnegative(),
    limit: z.number().int().positive(),
    offset: z.number().int().nonnegative(),
  })
  .meta({ description: 'One page of tickets, newest first.' });
export type TicketList = z.infer<typeof ticketListSchema>;

/** One line of a ticket's audit trail (`GET /api/tickets/:id/events`). */
export const ticketEventSchema = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  /** `sales:<key name>`, `ops:<email>`, `admin:<email>`, `agent:<ticket id>`, `system`. */
  actor: z.string(),
  /** `ticket.created`, `ticket.stateChanged`, `enrollment.codeIssued`, `agent.enrolled`, ... */
  action: z.string(),
  from: migrationStateSchema.nullable(),
  to: migrationStateSchema.nullable(),
  reason: z.string().nullable(),
});
export type TicketEvent = z.infer<typeof ticketEventSchema>;

/**
 * Audit actions that record someone reading the ticket's data, not the
 * migration moving: they never count as progress or as its last event.
 */
export const READ_AUDIT_ACTIONS: readonly string[] = ['ticket.detailViewed'];
export const ticketEventListSchema = z
  .object({ items: z.array(ticketEventSchema) })
  .meta({ description: "A ticket's audit trail, oldest first." });
export type TicketEventList = z.infer<typeof ticketEventListSchema>;

/** Body of the ops actions (cancel, reset, new enrollment code): why, for the audit trail. */
export const opsActionRequestSchema = z
  .object({
    reason: z
      .string()
      .trim()
      .min(1)
      .max(1000)
      .optional()
      .meta({ description: 'Written to the audit trail.', examples: ['customer asked to start over'] }),
  })
  .strict()
  .meta({ description: 'Why ops take this action (optional).' });
export type OpsActionRequest = z.infer<typeof opsActionRequestSchema>;

/** A freshly issued enrollment code: shown once, stored hashed (same shape as a new ticket's answer). */
export const enrollmentCodeIssuedSchema = createTicketResponseSchema;
export type EnrollmentCodeIssued = z.infer<typeof enrollmentCodeIssuedSchema>;

/** The answer to `POST /api/agent/enroll`: the agent token, shown once. */
export const enrollResponseSchema = z
  .object({
    agentToken: z
      .string()
      .meta({ description: 'The agent token (`omt_at_…`) for `Authorization: Bearer`; shown only here.' }),
    ticket: ticketViewSchema,
  })
  .meta({ description: "The agent's token and its ticket." });
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;
