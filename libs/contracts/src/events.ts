import { z } from 'zod';
import { migrationStateSchema } from './migration-state';
import { ticketViewSchema } from './ticket';

/**
 * Socket events are `entity.pastVerb`. One map per namespace and direction;
 * the server emits through one generic function typed by these maps and the
 * dashboard listens with the same types.
 */
export const SOCKET_NAMESPACES = { ops: '/ops', agent: '/agent' } as const;

const counterSchema = z.object({ done: z.number().nonnegative(), total: z.number().nonnegative() });

export const ticketStateChangedSchema = z.object({
  ticketId: z.string(),
  customerId: z.string(),
  from: migrationStateSchema,
  to: migrationStateSchema,
  actor: z.string(),
  reason: z.string().nullable(),
  at: z.iso.datetime(),
});

export const ticketProgressedSchema = z.object({
  ticketId: z.string(),
  phase: z.enum(['checks', 'tables', 'documents', 'verification', 'configuration']),
  tables: counterSchema,
  rows: counterSchema,
  bytes: counterSchema,
  documents: counterSchema,
  at: z.iso.datetime(),
});

export const jobFailedSchema = z.object({
  ticketId: z.string(),
  queue: z.string(),
  jobId: z.string(),
  jobName: z.string(),
  error: z.string(),
  attemptsMade: z.number().int().nonnegative(),
  final: z.boolean(),
});

export const queueCountsSchema = z.object({
  queue: z.string(),
  waiting: z.number().int().nonnegative(),
  active: z.number().int().nonnegative(),
  delayed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});

export const agentCommandSchema = z.object({
  ticketId: z.string(),
  command: z.enum(['cancel', 'pause', 'continue']),
  reason: z.string().nullable(),
});

export const agentLoggedSchema = z.object({
  level: z.enum(['info', 'warn', 'error']),
  message: z.string().max(4000),
});

/** `/ops` namespace: the dashboard listens. */
export const opsServerEvents = {
  'ticket.created': ticketViewSchema,
  'ticket.stateChanged': ticketStateChangedSchema,
  'ticket.progressed': ticketProgressedSchema,
  'job.failed': jobFailedSchema,
  'queues.measured': z.object({ queues: z.array(queueCountsSchema), at: z.iso.datetime() }),
} as const;

/** `/agent` namespace, server → agent: commands from ops and state changes of its ticket. */
export const agentServerEvents = {
  'command.issued': agentCommandSchema,
  'ticket.stateChanged': ticketStateChangedSchema,
} as const;

/** `/agent` namespace, agent → server. */
export const agentClientEvents = {
  'ticket.progressed': ticketProgressedSchema,
  'agent.logged': agentLoggedSchema,
} as const;

type Handlers<M extends Record<string, z.ZodType>> = {
  [E in keyof M]: (payload: z.infer<M[E]>) => void;
};
/** socket.io event-map types, usable as `Server<..., OpsServerToClient>` and `Socket<OpsServerToClient>`. */
export type OpsServerToClient = Handlers<typeof opsServerEvents>;
export type AgentServerToClient = Handlers<typeof agentServerEvents>;
export type AgentClientToServer = Handlers<typeof agentClientEvents>;
export type OpsEventName = keyof typeof opsServerEvents;
export type OpsEventPayload<E extends OpsEventName> = z.infer<(typeof opsServerEvents)[E]>;
