import { z } from 'zod';

/**
 * One agent process per ticket at a time. The agent takes the ticket's lease
 * before it works (POST /api/agent/lease), renews it well within its
 * lifetime, sends its id as `x-omt-lease` on every upload request, and
 * releases it on exit (DELETE /api/agent/lease). A lease nobody renews
 * lapses, so an agent killed without a word blocks the next run no longer
 * than that. While a lease is held, upload requests without its id are
 * refused with TICKET_LEASED (409) naming the holder.
 */
export const LEASE_HEADER = 'x-omt-lease';

/** A lease id: random, made by the API at the first take. */
export const leaseIdSchema = z
  .string()
  .regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hex digits')
  .meta({ description: 'The lease id the API answered at the first take.' });

export const leaseRequestSchema = z
  .object({
    /** Absent at the first take; the held lease's id to renew it (or to take it over after a restart). */
    leaseId: leaseIdSchema.optional(),
    host: z
      .string()
      .trim()
      .min(1)
      .max(255)
      // Shown to other agents and in messages: no control characters (line breaks, escapes) in it.
      .regex(/^\P{Cc}+$/u, 'must not contain control characters')
      .meta({ description: "The agent machine's host name, shown to a refused agent." }),
    pid: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1)
      .meta({ description: "The agent process's id on that host." }),
  })
  .strict()
  .meta({
    description:
      "Takes (no leaseId), renews or takes over (the held leaseId) the ticket's lease for this agent process.",
  });
export type LeaseRequest = z.infer<typeof leaseRequestSchema>;

export const ticketLeaseSchema = z
  .object({
    leaseId: leaseIdSchema,
    host: z.string(),
    pid: z.number().int(),
    /** When this lease was first taken (renewals keep it). */
    since: z.iso.datetime(),
    /** When it lapses unless renewed. */
    lapsesAt: z.iso.datetime(),
    /** Its lifetime (OMT_AGENT_LEASE_SECONDS): renew well before. */
    leaseSeconds: z.number().positive(),
  })
  .meta({
    description:
      "The ticket's lease as held by this agent: renew it well before lapsesAt, every third of leaseSeconds.",
  });
export type TicketLease = z.infer<typeof ticketLeaseSchema>;
