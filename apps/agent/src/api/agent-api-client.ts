import { z } from 'zod';
import {
  AGENT_API,
  BATCH_CONTENT_TYPE,
  BATCH_HEADERS,
  ERROR_CODES,
  OmtError,
  agentSessionSchema,
  batchPartReceiptSchema,
  batchReceiptSchema,
  LEASE_HEADER,
  enrollResponseSchema,
  errorEnvelopeSchema,
  tableCompleteSchema,
  tablePathSegment,
  ticketEventListSchema,
  ticketLeaseSchema,
  ticketViewSchema,
  uploadManifestSchema,
  type AgentSession,
  type BatchCommit,
  type BatchPartReceipt,
  type BatchReceipt,
  type CheckReport,
  type EnrollResponse,
  type LeaseRequest,
  type ErrorCode,
  type MissingDocuments,
  type PlanSubmission,
  type StartUpload,
  type TableComplete,
  type TableSchema,
  type TicketEventList,
  type TicketLease,
  type TicketView,
  type UploadManifest,
} from '@omt/contracts';
import {
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  parseRetryAfter,
  retryDelayMs,
  sleep,
  type RetryPolicy,
} from './retry-policy';

export interface AgentApiOptions {
  /** The API's base URL, e.g. `https://omt.example.com` (no `/api`). */
  baseUrl: string;
  /** The agent token; only enrollment works without it. */
  token?: string;
  retry?: RetryPolicy;
  /** One attempt may take this long before it counts as a network failure and is retried. */
  timeoutMs?: number;
  /** Aborts every request and every wait between retries (Ctrl-C). */
  signal?: AbortSignal;
  /** Told about every retry, so the terminal can say why the upload is slow. */
  onRetry?: (retry: RetryNotice) => void;
  /** The ticket lease this agent holds, shared by every client made from this one (`withToken`). */
  lease?: { id: string | null };
}

export interface RetryNotice {
  method: string;
  path: string;
  /** The retry about to be made (1 for the first). */
  retry: number;
  delayMs: number;
  reason: string;
}

interface RequestSpec<S extends z.ZodType> {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  /** JSON body, or raw bytes with their content type. */
  json?: unknown;
  raw?: { body: Uint8Array; contentType: string; headers?: Record<string, string> };
  schema: S;
  /**
   * Whether sending the request twice does what sending it once does. Every
   * upload endpoint is; enrollment is not (the code is spent once), so it is
   * retried only when the server surely did not act (429, connection refused).
   */
  idempotent: boolean;
  /**
   * Error codes that mean the bytes were damaged on the way (a flaky proxy, a
   * bad NIC) rather than that the request is wrong: sent again a few times
   * (WIRE_DAMAGE_ATTEMPTS), since the API stored nothing of it.
   */
  damagedOnTheWay?: readonly ErrorCode[];
}

/** Tries in all of a request whose body the API found damaged; a damage that repeats is not the wire's. */
export const WIRE_DAMAGE_ATTEMPTS = 3;

/** A batch that does not hash or unpack to what its headers say: the API refused it, kept nothing, and asks for it again. */
const BATCH_DAMAGE_CODES: readonly ErrorCode[] = ['CHECKSUM_MISMATCH', 'BATCH_INVALID'];

/** `204 No Content`. */
const noContent = z.undefined();

const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * The agent's HTTP client for `/api/agent/*`: typed answers checked with the
 * contract's schemas, error envelopes as OmtError with the server's code,
 * retries with backoff on network errors, 5xx and 429. Node's fetch keeps
 * connections alive between requests, so a table's batches share sockets.
 */
export class AgentApiClient {
  private readonly base: string;
  private readonly retry: RetryPolicy;
  private readonly lease: { id: string | null };

  constructor(private readonly options: AgentApiOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.lease = options.lease ?? { id: null };
  }

  get baseUrl(): string {
    return this.base;
  }

  /** The same client speaking as the agent token. */
  withToken(token: string): AgentApiClient {
    return new AgentApiClient({ ...this.options, token, lease: this.lease });
  }

  /** From now on every request carries this lease id (null: none), as the API asks of the lease holder. */
  useLease(id: string | null): void {
    this.lease.id = id;
  }

  /** The header that names the held lease, for requests made outside this client (the tus document upload). */
  leaseHeaders(): Record<string, string> {
    return this.lease.id ? { [LEASE_HEADER]: this.lease.id } : {};
  }

  /** Takes, renews or takes over the ticket's lease; TICKET_LEASED when another agent holds it. */
  takeLease(request: LeaseRequest): Promise<TicketLease> {
    return this.request({
      method: 'POST',
      path: `${AGENT_API}/lease`,
      json: request,
      schema: ticketLeaseSchema,
      idempotent: true,
    });
  }

  async releaseLease(leaseId: string): Promise<void> {
    await this.request({
      method: 'DELETE',
      path: `${AGENT_API}/lease`,
      raw: { body: new Uint8Array(0), contentType: 'application/octet-stream', headers: { [LEASE_HEADER]: leaseId } },
      schema: noContent,
      idempotent: true,
    });
  }

  enroll(code: string): Promise<EnrollResponse> {
    return this.request({
      method: 'POST',
      path: `${AGENT_API}/enroll`,
      json: { code },
      schema: enrollResponseSchema,
      idempotent: false,
    });
  }

  session(): Promise<AgentSession> {
    return this.request({ method: 'GET', path: `${AGENT_API}/session`, schema: agentSessionSchema, idempotent: true });
  }

  /** The ticket after the checks: `ready`, or `checks_failed` when one blocks. */
  putChecks(report: CheckReport): Promise<TicketView> {
    return this.request({
      method: 'PUT',
      path: `${AGENT_API}/checks`,
      json: report,
      schema: ticketViewSchema,
      idempotent: true,
    });
  }

  putPlan(submission: PlanSubmission): Promise<TicketView> {
    return this.request({
      method: 'PUT',
      path: `${AGENT_API}/plan`,
      json: submission,
      schema: ticketViewSchema,
      idempotent: true,
    });
  }

  startUpload(start: StartUpload): Promise<UploadManifest> {
    return this.request({
      method: 'POST',
      path: `${AGENT_API}/upload`,
      json: start,
      schema: uploadManifestSchema,
      idempotent: true,
    });
  }

  /** Stored (or already stored) and queued for creation in the tenant. */
  async putTableSchema(table: TableSchema): Promise<void> {
    await this.request({
      method: 'PUT',
      path: tablePath(table.name),
      json: table,
      schema: noContent,
      idempotent: true,
    });
  }

  putBatch(
    table: string,
    sequence: number,
    batch: { gzip: Uint8Array; gzipSha256: string; sha256: string; rows: number; bytes: number; firstRow?: number },
  ): Promise<BatchReceipt> {
    return this.request({
      method: 'PUT',
      path: `${tablePath(table)}/batches/${sequence}`,
      raw: {
        body: batch.gzip,
        contentType: BATCH_CONTENT_TYPE,
        headers: {
          [BATCH_HEADERS.gzipSha256]: batch.gzipSha256,
          [BATCH_HEADERS.sha256]: batch.sha256,
          [BATCH_HEADERS.rows]: String(batch.rows),
          [BATCH_HEADERS.bytes]: String(batch.bytes),
          ...(batch.firstRow === undefined ? {} : { [BATCH_HEADERS.firstRow]: String(batch.firstRow) }),
        },
      },
      schema: batchReceiptSchema,
      idempotent: true,
      damagedOnTheWay: BATCH_DAMAGE_CODES,
    });
  }

  /** One part of a batch sent in parts (a slice of its gzip); sending it again replaces it. */
  putBatchPart(
    table: string,
    sequence: number,
    part: number,
    slice: { gzip: Uint8Array; gzipSha256: string },
  ): Promise<BatchPartReceipt> {
    return this.request({
      method: 'PUT',
      path: `${tablePath(table)}/batches/${sequence}/parts/${part}`,
      raw: {
        body: slice.gzip,
        contentType: BATCH_CONTENT_TYPE,
        headers: { [BATCH_HEADERS.gzipSha256]: slice.gzipSha256 },
      },
      schema: batchPartReceiptSchema,
      idempotent: true,
      damagedOnTheWay: BATCH_DAMAGE_CODES,
    });
  }

  /** Ends a batch sent in parts; BATCH_PARTS_MISSING while a part has not arrived. */
  commitBatch(table: string, sequence: number, commit: BatchCommit): Promise<BatchReceipt> {
    return this.request({
      method: 'POST',
      path: `${tablePath(table)}/batches/${sequence}/commit`,
      json: commit,
      schema: batchReceiptSchema,
      idempotent: true,
    });
  }

  /** The figures as stored. */
  completeTable(table: string, figures: TableComplete): Promise<TableComplete> {
    return this.request({
      method: 'POST',
      path: `${tablePath(table)}/complete`,
      json: figures,
      schema: tableCompleteSchema,
      idempotent: true,
    });
  }

  async putMissingDocuments(missing: MissingDocuments): Promise<void> {
    await this.request({
      method: 'PUT',
      path: `${AGENT_API}/documents/missing`,
      json: missing,
      schema: noContent,
      idempotent: true,
    });
  }

  /** Ends the upload run; the answer is the session after it (the ticket importing, or still recovering). */
  completeUpload(): Promise<AgentSession> {
    return this.request({
      method: 'POST',
      path: `${AGENT_API}/upload/complete`,
      schema: agentSessionSchema,
      idempotent: true,
    });
  }

  /** The ticket's audit trail: where the agent reads why a migration failed. */
  ticketEvents(ticketId: string): Promise<TicketEventList> {
    return this.request({
      method: 'GET',
      path: `/api/tickets/${encodeURIComponent(ticketId)}/events`,
      schema: ticketEventListSchema,
      idempotent: true,
    });
  }

  private async request<S extends z.ZodType>(spec: RequestSpec<S>): Promise<z.output<S>> {
    let damaged = 0;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(spec);
      if (outcome.kind === 'done') return outcome.value;
      if (outcome.kind === 'damaged') {
        if (++damaged >= WIRE_DAMAGE_ATTEMPTS) throw outcome.error;
      } else {
        const retryable = spec.idempotent || outcome.safeToRepeat;
        if (!retryable || attempt >= this.retry.attempts) throw outcome.error;
      }
      const delayMs = retryDelayMs(attempt, this.retry, outcome.retryAfterMs);
      this.options.onRetry?.({
        method: spec.method,
        path: spec.path,
        retry: attempt,
        delayMs,
        reason: outcome.error.message,
      });
      await sleep(delayMs, this.options.signal);
    }
  }

  private async attempt<S extends z.ZodType>(
    spec: RequestSpec<S>,
  ): Promise<
    | { kind: 'done'; value: z.output<S> }
    | { kind: 'retry'; error: OmtError; retryAfterMs: number | null; safeToRepeat: boolean }
    | { kind: 'damaged'; error: OmtError; retryAfterMs: null }
  > {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    Object.assign(headers, this.leaseHeaders());
    let body: Uint8Array | string | undefined;
    if (spec.raw) {
      Object.assign(headers, spec.raw.headers, { 'content-type': spec.raw.contentType });
      body = spec.raw.body;
    } else if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    }
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;

    let response: Response;
    let text: string;
    try {
      response = await fetch(this.base + spec.path, { method: spec.method, headers, body, signal });
      text = await response.text();
    } catch (error) {
      if (this.options.signal?.aborted) throw this.options.signal.reason;
      return {
        kind: 'retry',
        error: new OmtError(
          'SERVICE_UNAVAILABLE',
          `Cannot reach the omt API at ${this.base}: ${networkCause(error)}. ` +
            'Check the address given with --api (OMT_API_URL) and that this machine can reach it (network, proxy, firewall).',
        ),
        retryAfterMs: null,
        safeToRepeat: connectionRefused(error),
      };
    }

    if (response.ok) return { kind: 'done', value: this.parseAnswer(spec, text, response.headers.get('content-type')) };
    const error = errorFromAnswer(response.status, text, `${spec.method} ${spec.path}`, this.base);
    if (spec.damagedOnTheWay?.includes(error.code)) return { kind: 'damaged', error, retryAfterMs: null };
    if (!isRetryableStatus(response.status)) throw error;
    return {
      kind: 'retry',
      error,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      safeToRepeat: response.status === 429,
    };
  }

  private parseAnswer<S extends z.ZodType>(
    spec: RequestSpec<S>,
    text: string,
    contentType: string | null,
  ): z.output<S> {
    let json: unknown = undefined;
    if (text !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        // A web server or a portal page at that address: the URL is wrong, the API is not broken.
        throw notAnOmtApi(
          this.base,
          `${spec.method} ${spec.path}`,
          /html/i.test(contentType ?? '') ? 'a web page' : 'something that is not JSON',
        );
      }
    }
    const parsed = spec.schema.safeParse(json);
    if (!parsed.success) {
      throw new OmtError(
        'INTERNAL',
        `The omt API's answer to ${spec.method} ${spec.path} does not match this agent's protocol; is the agent up to date?`,
        parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      );
    }
    return parsed.data;
  }
}

function tablePath(table: string): string {
  return `${AGENT_API}/tables/${tablePathSegment(table)}`;
}

/**
 * An error answer as OmtError: the server's own code and message when it sent
 * the envelope. A 404 without one means no omt API lives at that address.
 */
export function errorFromAnswer(status: number, text: string, what: string, base: string): OmtError {
  try {
    const envelope = errorEnvelopeSchema.safeParse(JSON.parse(text));
    if (envelope.success) return new OmtError(envelope.data.code, envelope.data.message, envelope.data.details);
  } catch {
    // Not JSON: a proxy's error page, say.
  }
  if (status === 404 || status === 405) return notAnOmtApi(base, what, `HTTP ${status}`);
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return new OmtError(
    codeForStatus(status),
    `The omt API answered ${what} with HTTP ${status}${snippet ? `: ${snippet}` : ''}.`,
  );
}

/** The first code of that status (401 → UNAUTHENTICATED, 413 → PAYLOAD_TOO_LARGE); any 5xx from a proxy reads as unavailable. */
function codeForStatus(status: number): ErrorCode {
  if (status >= 500) return 'SERVICE_UNAVAILABLE';
  const exact = (Object.entries(ERROR_CODES) as Array<[ErrorCode, number]>).find(([, s]) => s === status);
  return exact ? exact[0] : 'VALIDATION_FAILED';
}

function notAnOmtApi(base: string, what: string, answer: string): OmtError {
  return new OmtError(
    'API_NOT_FOUND',
    `${base} is not an omt API: it answered ${what} with ${answer}. ` +
      'Check --api (OMT_API_URL): it is the address operations gave you, like https://omt.example.com, without /api (the agent adds /api/agent/… itself).',
  );
}

/** Why a connection failed, in words; the system's code stays in brackets for whoever reads logs. */
const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'nothing answers at that address and port',
  ENOTFOUND: 'the host name is unknown',
  EAI_AGAIN: 'the host name could not be resolved',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ECONNRESET: 'the connection was cut',
  ETIMEDOUT: 'the connection timed out',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
};

function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return NETWORK_CAUSES[cause.code] ? `${NETWORK_CAUSES[cause.code]} (${cause.code})` : cause.code;
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** The connection was never made, so the server cannot have acted on the request. */
function connectionRefused(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } }).cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}
