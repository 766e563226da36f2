import { errorEnvelopeSchema, type ErrorCode, type ErrorDetail } from '@omt/contracts';

/**
 * What the helper needs of a zod schema. Structural, so the dashboard does
 * not import zod itself: its schemas all come from `@omt/contracts`.
 */
export interface ContractSchema<T> {
  safeParse(
    value: unknown,
  ):
    { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: readonly PropertyKey[] }> } };
}

/**
 * Codes only the client raises: the API always answers errors with an
 * envelope carrying a contract code, so anything else means we never heard
 * from the API (network, proxy) or it answered something we cannot read.
 */
export type ClientErrorCode = 'API_UNREACHABLE' | 'UNEXPECTED_RESPONSE';

export class ApiError extends Error {
  readonly code: ErrorCode | ClientErrorCode;
  /** HTTP status, or `null` when no response arrived. */
  readonly status: number | null;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode | ClientErrorCode, message: string, status: number | null, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }

  get unreachable(): boolean {
    return this.code === 'API_UNREACHABLE';
  }
}

export interface RequestJsonOptions extends Omit<RequestInit, 'body'> {
  /** Sent as JSON with a matching content type. */
  json?: unknown;
  /**
   * Non-2xx statuses whose body is still an answer of `schema`, e.g. 503 for
   * `/api/health`, which reports a degraded system with the same body.
   */
  acceptStatuses?: readonly number[];
}

/**
 * Fetches `url`, parses its JSON body with `schema`, and throws an
 * `ApiError` carrying the envelope's code and message for every error body
 * the API sends. Same-origin by design: pass `/api/...`.
 */
export async function requestJson<T>(
  url: string,
  schema: ContractSchema<T>,
  options: RequestJsonOptions = {},
): Promise<T> {
  const { json, acceptStatuses = [], headers, ...init } = options;
  const requestHeaders = new Headers(headers);
  requestHeaders.set('accept', 'application/json');
  if (json !== undefined) requestHeaders.set('content-type', 'application/json');

  let response: Response;
  try {
    response = await fetch(url, {
      credentials: 'include',
      ...init,
      headers: requestHeaders,
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  } catch (error) {
    if (init.signal?.aborted || nameOf(error) === 'AbortError') throw error;
    throw new ApiError('API_UNREACHABLE', `The API cannot be reached (${describe(error)}).`, null);
  }

  let body: unknown;
  try {
    body = await readBody(response);
  } catch (error) {
    if (init.signal?.aborted || nameOf(error) === 'AbortError') throw error;
    throw new ApiError('API_UNREACHABLE', `The API's answer was cut off (${describe(error)}).`, response.status);
  }
  if (response.ok || acceptStatuses.includes(response.status)) {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    if (response.ok) {
      const fields = parsed.error.issues.map((issue) => issue.path.map(String).join('.') || '(root)').join(', ');
      throw new ApiError(
        'UNEXPECTED_RESPONSE',
        `The API's answer to ${describeRequest(init.method, url)} does not match the contract: ${fields}.`,
        response.status,
      );
    }
  }
  throw errorFromResponse(response, body, describeRequest(init.method, url));
}

/** Maps an error response to an `ApiError`; exported for tests and other transports. */
export function errorFromResponse(
  response: Pick<Response, 'status' | 'statusText'>,
  body: unknown,
  request: string,
): ApiError {
  const envelope = errorEnvelopeSchema.safeParse(body);
  if (envelope.success) {
    const { code, message, details } = envelope.data;
    return new ApiError(code, message, response.status, details);
  }
  // A gateway status or an empty 5xx comes from whatever sits in front of the
  // API (Vite's proxy, a load balancer) when the API itself is not answering.
  const gateway = response.status === 502 || response.status === 503 || response.status === 504;
  if (gateway || (response.status >= 500 && body === undefined)) {
    return new ApiError(
      'API_UNREACHABLE',
      `The API is not answering (HTTP ${response.status} for ${request}).`,
      response.status,
    );
  }
  const statusText = response.statusText ? ` ${response.statusText}` : '';
  return new ApiError(
    'UNEXPECTED_RESPONSE',
    `The API answered HTTP ${response.status}${statusText} to ${request} without an error description.`,
    response.status,
  );
}

/** JSON if the body parses as JSON, its text otherwise, `undefined` when empty. */
async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

// Duck-typed rather than `instanceof`: fetch's errors may come from another
// realm (undici in Node, a test environment), where `instanceof Error` fails.
function nameOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : undefined;
}

function messageOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
}

/** Node's fetch says only "fetch failed"; the useful part (ECONNREFUSED ...) is in `cause`. */
function describe(error: unknown): string {
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
  return cause ? `${messageOf(error)}: ${messageOf(cause)}` : messageOf(error);
}

function describeRequest(method: string | undefined, url: string): string {
  return `${(method ?? 'GET').toUpperCase()} ${url}`;
}
