import { z } from 'zod';

/**
 * Who may call the API: `sales` (API keys of the sales system), `ops` and
 * `admin` (people logged in to the dashboard), `agent` (a token scoped to
 * exactly one ticket).
 */
export const ROLES = ['sales', 'ops', 'admin', 'agent'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** Roles of people who log in; the others are machine credentials. */
export const USER_ROLES = ['ops', 'admin'] as const;
export const userRoleSchema = z.enum(USER_ROLES);
export type UserRole = z.infer<typeof userRoleSchema>;

/** Roles an API key can carry. */
export const API_KEY_ROLES = ['sales'] as const;
export const apiKeyRoleSchema = z.enum(API_KEY_ROLES);
export type ApiKeyRole = z.infer<typeof apiKeyRoleSchema>;

export const emailSchema = z.email().max(254);

/** Minimum length only: long passphrases beat composition rules. */
export const passwordSchema = z.string().min(12, 'must be at least 12 characters').max(200);

/** `POST /api/auth/login`. Sets the httpOnly session cookie. */
export const loginRequestSchema = z
  .object({
    email: emailSchema.meta({ description: 'The ops or admin user.', examples: ['ops@example.com'] }),
    password: z.string().min(1).max(200).meta({ description: "The user's password." }),
  })
  .strict()
  .meta({ description: 'An ops or admin login.' });
export type LoginRequest = z.infer<typeof loginRequestSchema>;

/** `GET /api/auth/me` and the answer to a login: who the caller is. */
export const principalViewSchema = z
  .object({
    role: roleSchema.meta({ description: '`sales` (API key), `ops` or `admin` (logged in), `agent` (agent token).' }),
    name: z.string().meta({ description: "The person's email, the API key's name, or `agent:<ticket id>`." }),
    ticketId: z.string().nullable().meta({ description: 'Only for agents: the one ticket this token opens.' }),
  })
  .meta({ description: 'Who the caller is.' });
export type PrincipalView = z.infer<typeof principalViewSchema>;

/** `POST /api/agent/enroll`: the migrator's one-time code for an agent token. */
export const enrollRequestSchema = z
  .object({
    code: z
      .string()
      .trim()
      .min(8)
      .max(100)
      .meta({
        description: 'The one-time enrollment code of the ticket, as sales or ops handed it to the migrator.',
        examples: ['7Q2M-X4KD-9TNB-R3HC-VW8P-6Y1F-JA5E-G0ZS'],
      }),
  })
  .strict()
  .meta({ description: "The migrator's enrollment code." });
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;
