import { z } from 'zod';

/**
 * Every error that crosses a boundary carries one of these codes. The HTTP
 * status lives beside the code so the API maps errors in one place and a
 * client can tell a retryable failure from a permanent one without guessing.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  ENROLLMENT_CODE_INVALID: 401,
  /** The agent token was revoked because its ticket was completed or cancelled; details carry `state` and `reason`. */
  AGENT_ACCESS_ENDED: 401,
  LOGIN_FAILED: 401,
  FORBIDDEN: 403,
  /** A cookie-authenticated change (or login, or the /ops socket) from a page of another origin: refused as cross-site request forgery. */
  CROSS_ORIGIN_REFUSED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TICKET_ALREADY_OPEN: 409,
  STATE_TRANSITION_FORBIDDEN: 409,
  LIVE_MIGRATION_COMPLETED: 409,
  BATCH_CONFLICT: 409,
  /** Another agent process holds the ticket's lease; details carry its `host`, `pid`, `since` and `lapsesAt`. */
  TICKET_LEASED: 409,
  PAYLOAD_TOO_LARGE: 413,
  /** A body that is not `application/json` where only JSON is accepted (forms and text/plain are how cross-site requests arrive). */
  UNSUPPORTED_MEDIA_TYPE: 415,
  CHECKSUM_MISMATCH: 422,
  /** A batch that is not what its headers say (row count, gzip, COPY text ending inside a row). */
  BATCH_INVALID: 422,
  /** A batch sent in parts was committed while some of its parts had not arrived; the details name them. */
  BATCH_PARTS_MISSING: 422,
  /** One row is longer than PostgreSQL can load (MAX_ROW_BYTES of COPY text); the message names the table and the row's key. */
  ROW_TOO_LARGE: 422,
  PLAN_INVALID: 422,
  /** The plan leaves blocking check findings that the plan step fixes (shared login emails, no administrator with a plan): one detail per finding. */
  CHECKS_UNRESOLVED: 422,
  /** Two source names (tables, their keys, or columns of one table) would get one PostgreSQL name in the tenant; the details name both. */
  NAME_COLLISION: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  /** The API's storage (blob store, document uploads) is full: nothing of the request was kept; send it again once space is freed. */
  STORAGE_FULL: 507,
  // Raised inside processes, never answered over HTTP by the API.
  CONFIG_INVALID: 500,
  SOURCE_UNREACHABLE: 502,
  ADMIN_LOGON_REFUSED: 403,
  CHECKS_BLOCKING: 409,
  /** The document archive folder is missing, unreadable, or holds none of the documents the database lists. */
  ARCHIVE_UNUSABLE: 400,
  /** The --api address answers, but not as an omt API (a web page, a 404): the URL is wrong. */
  API_NOT_FOUND: 404,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

export const errorDetailSchema = z.object({
  /** Where the problem is, e.g. `customerId` or `users.3.email`; empty for the whole input. */
  path: z.string().meta({
    description: 'The field, dotted (`salesRep.email`, `users.3.email`); empty for the whole input.',
    examples: ['customerId'],
  }),
  message: z
    .string()
    .meta({ description: 'What is wrong with it: `required` when it is missing.', examples: ['required'] }),
});
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

/** The one shape of every error body: `{ code, message, details[] }`. */
export const errorEnvelopeSchema = z
  .object({
    code: errorCodeSchema.meta({
      description: 'Stable, for programs; the HTTP status follows from it.',
      examples: ['VALIDATION_FAILED'],
    }),
    message: z.string().meta({
      description: 'For people: what went wrong and what to do.',
      examples: ['The ticket is invalid: customerId.'],
    }),
    details: z
      .array(errorDetailSchema)
      .meta({ description: 'One entry per offending field; empty when the error is not about fields.' }),
  })
  .meta({ description: 'The one shape of every error answer.' });
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

/** An error with a code from this file and a message a person can act on. */
export class OmtError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'OmtError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }

  toEnvelope(): ErrorEnvelope {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isOmtError(value: unknown): value is OmtError {
  return value instanceof OmtError;
}

/** Turns zod issues into envelope details with dotted field paths. */
export function detailsFromZodError(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/**
 * A field that is absent says so ("required") instead of zod's "expected
 * string, received undefined"; a schema's own message still wins, and every
 * other issue keeps zod's wording.
 */
const requiredWhenMissing = (issue: { input?: unknown }) => (issue.input === undefined ? 'required' : undefined);

/**
 * Parses `value` with `schema`; on failure throws VALIDATION_FAILED naming
 * every offending field. The same call validates HTTP bodies, socket
 * payloads and job payloads.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what = 'input'): z.output<S> {
  const result = schema.safeParse(value, { error: requiredWhenMissing });
  if (result.success) return result.data;
  const details = detailsFromZodError(result.error);
  const fields = details.map((d) => d.path || '(root)').join(', ');
  throw new OmtError('VALIDATION_FAILED', `The ${what} is invalid: ${fields}.`, details);
}
