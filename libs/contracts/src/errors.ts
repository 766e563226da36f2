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
  LOGIN_FAILED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TICKET_ALREADY_OPEN: 409,
  STATE_TRANSITION_FORBIDDEN: 409,
  LIVE_MIGRATION_COMPLETED: 409,
  BATCH_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  CHECKSUM_MISMATCH: 422,
  /** A batch that is not what its headers say (row count, gzip, COPY text ending inside a row). */
  BATCH_INVALID: 422,
  PLAN_INVALID: 422,
  /** The plan leaves blocking check findings that the plan step fixes (shared login emails, no administrator with a plan): one detail per finding. */
  CHECKS_UNRESOLVED: 422,
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
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

export const errorDetailSchema = z.object({
  /** Where the problem is, e.g. `customerId` or `users.3.email`; empty for the whole input. */
  path: z.string(),
  message: z.string(),
});
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

/** The one shape of every error body: `{ code, message, details[] }`. */
export const errorEnvelopeSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  details: z.array(errorDetailSchema),
});
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
 * Parses `value` with `schema`; on failure throws VALIDATION_FAILED naming
 * every offending field. The same call validates HTTP bodies, socket
 * payloads and job payloads.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what = 'input'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = detailsFromZodError(result.error);
  const fields = details.map((d) => d.path || '(root)').join(', ');
  throw new OmtError('VALIDATION_FAILED', `The ${what} is invalid: ${fields}.`, details);
}
