import { z } from 'zod';
import { migrationKindSchema, migrationStateSchema, tenantStateSchema } from './migration-state';

export const ENVIRONMENTS = ['online', 'stage', 'sod'] as const;
export const environmentSchema = z.enum(ENVIRONMENTS);
export type Environment = z.infer<typeof environmentSchema>;

/** SuperOffice customer ids look like `Cust12345`. */
export const customerIdSchema = z
  .string()
  .regex(/^Cust[0-9]{1,12}$/, 'must be "Cust" followed by digits, e.g. Cust12345');

export const createTicketRequestSchema = z
  .object({
    customerId: customerIdSchema,
    companyName: z.string().trim().min(1).max(200),
    serialNumber: z.string().trim().min(1).max(64),
    environment: environmentSchema,
    kind: migrationKindSchema,
    salesRep: z.object({
      name: z.string().trim().min(1).max(200),
      email: z.email().max(254),
    }),
  })
  .strict();
export type CreateTicketRequest = z.infer<typeof createTicketRequestSchema>;

export const tenantViewSchema = z.object({
  customerId: customerIdSchema,
  environment: environmentSchema,
  state: tenantStateSchema,
  databaseName: z.string(),
});
export type TenantView = z.infer<typeof tenantViewSchema>;

export const ticketViewSchema = z.object({
  id: z.string(),
  customerId: customerIdSchema,
  companyName: z.string(),
  serialNumber: z.string(),
  environment: environmentSchema,
  kind: migrationKindSchema,
  state: migrationStateSchema,
  salesRep: z.object({ name: z.string(), email: z.string() }),
  tenant: tenantViewSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TicketView = z.infer<typeof ticketViewSchema>;

/** The answer to `POST /api/tickets`: the only time the enrollment code is shown. */
export const createTicketResponseSchema = z.object({
  ticket: ticketViewSchema,
  enrollmentCode: z.string(),
  enrollmentCodeExpiresAt: z.iso.datetime(),
});
export type CreateTicketResponse = z.infer<typeof createTicketResponseSchema>;
