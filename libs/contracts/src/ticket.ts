import { z } from 'zod';
import { migrationKindSchema, migrationStateSchema, tenantStateSchema } from './migration-state';

export const ENVIRONMENTS = ['online', 'stage', 'sod'] as const;
export const environmentSchema = z.enum(ENVIRONMENTS).meta({
  description: 'The SuperOffice cloud environment the tenant lives in: `online` (production), `stage` or `sod`.',
  examples: ['online'],
});
export type Environment = z.infer<typeof environmentSchema>;

/** SuperOffice customer ids look like `Cust12345`. */
export const customerIdSchema = z
  .string()
  .regex(/^Cust[0-9]{1,12}$/, 'must be "Cust" followed by digits, e.g. Cust12345')
  .meta({ description: 'The SuperOffice customer id: `Cust` followed by digits.', examples: ['Cust12345'] });

export const createTicketRequestSchema = z
  .object({
    customerId: customerIdSchema,
    companyName: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .meta({ description: "The customer's company name.", examples: ['Acme Industries'] }),
    serialNumber: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .meta({ description: 'The serial number of the onsite SuperOffice installation.', examples: ['4021-7788'] }),
    environment: environmentSchema,
    kind: migrationKindSchema,
    salesRep: z
      .object({
        name: z
          .string()
          .trim()
          .min(1)
          .max(200)
          .meta({ description: 'Full name.', examples: ['Sam Seller'] }),
        email: z
          .email()
          .max(254)
          .meta({ description: 'Where questions about the sale go.', examples: ['sam@example.com'] }),
      })
      .meta({ description: 'The sales rep who sold the migration.' }),
  })
  .strict()
  .meta({
    description: 'A migration ticket to open for one customer. Only one open ticket per customer and environment.',
  });
export type CreateTicketRequest = z.infer<typeof createTicketRequestSchema>;

export const tenantViewSchema = z
  .object({
    customerId: customerIdSchema,
    environment: environmentSchema,
    state: tenantStateSchema,
    databaseName: z.string().meta({ description: "The tenant's database in the cloud." }),
  })
  .meta({ description: 'The cloud tenant the migration loads into.' });
export type TenantView = z.infer<typeof tenantViewSchema>;

export const ticketViewSchema = z
  .object({
    id: z.string().meta({ description: 'The ticket id (UUID): the path of every ticket endpoint.' }),
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
  })
  .meta({ description: 'A migration ticket and its tenant.' });
export type TicketView = z.infer<typeof ticketViewSchema>;

/** The answer to `POST /api/tickets`: the only time the enrollment code is shown. */
export const createTicketResponseSchema = z
  .object({
    ticket: ticketViewSchema,
    enrollmentCode: z.string().meta({
      description:
        'The one-time code the migrator starts the agent with (`omt-agent --code …`). Shown only in this answer.',
      examples: ['7Q2M-X4KD-9TNB-R3HC-VW8P-6Y1F-JA5E-G0ZS'],
    }),
    enrollmentCodeExpiresAt: z.iso
      .datetime()
      .meta({ description: 'After this the code no longer enrolls an agent; ops can issue a new one.' }),
  })
  .meta({ description: 'The new ticket and its enrollment code.' });
export type CreateTicketResponse = z.infer<typeof createTicketResponseSchema>;
