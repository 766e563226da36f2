import {
  enrollmentCodeIssuedSchema,
  principalViewSchema,
  queueHealthSchema,
  ticketDetailSchema,
  ticketEventListSchema,
  ticketOverviewListSchema,
  ticketViewSchema,
  type EnrollmentCodeIssued,
  type LoginRequest,
  type MigrationKind,
  type MigrationState,
  type PrincipalView,
  type QueueHealth,
  type TicketDetail,
  type TicketEventList,
  type TicketOverviewList,
  type TicketView,
} from '@omt/contracts';
import { ERROR_LABELS } from '../components/labels';
import { ApiError, requestJson, type ContractSchema, type RequestJsonOptions } from './http';

/**
 * Every API call the dashboard makes, typed by the contracts. A 401 on any
 * of them means the session ended (expired, logged out elsewhere): the
 * registered handler sends the page back to the login screen.
 */
let onUnauthenticated: () => void = () => undefined;

export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

async function call<T>(url: string, schema: ContractSchema<T>, options?: RequestJsonOptions): Promise<T> {
  try {
    return await requestJson(url, schema, { cache: 'no-store', ...options });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) onUnauthenticated();
    throw error;
  }
}

/** For answers the page does not read (204, or an action whose result comes back through a reload). */
const anyAnswer: ContractSchema<unknown> = { safeParse: (value) => ({ success: true, data: value }) };

const ticketPath = (id: string) => `/api/tickets/${encodeURIComponent(id)}`;

export const opsApi = {
  /** The current session, or null when there is none (never triggers the 401 handler). */
  async me(signal?: AbortSignal): Promise<PrincipalView | null> {
    try {
      return await requestJson('/api/auth/me', principalViewSchema, { signal, cache: 'no-store' });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  },

  /** LOGIN_FAILED (401) is an answer here, not an expired session. */
  login(request: LoginRequest): Promise<PrincipalView> {
    return requestJson('/api/auth/login', principalViewSchema, { method: 'POST', json: request });
  },

  async logout(): Promise<void> {
    await call('/api/auth/logout', anyAnswer, { method: 'POST' });
  },

  ticketsOverview(
    filters: { state: MigrationState | null; kind: MigrationKind | null },
    signal?: AbortSignal,
  ): Promise<TicketOverviewList> {
    const query = new URLSearchParams({ limit: '200' });
    if (filters.state) query.set('state', filters.state);
    if (filters.kind) query.set('kind', filters.kind);
    return call(`/api/tickets-overview?${query}`, ticketOverviewListSchema, { signal });
  },

  ticketDetail(id: string, signal?: AbortSignal): Promise<TicketDetail> {
    return call(`${ticketPath(id)}/detail`, ticketDetailSchema, { signal });
  },

  ticketEvents(id: string, signal?: AbortSignal): Promise<TicketEventList> {
    return call(`${ticketPath(id)}/events`, ticketEventListSchema, { signal });
  },

  queueHealth(signal?: AbortSignal): Promise<QueueHealth> {
    return call('/api/queues', queueHealthSchema, { signal });
  },

  cancel(id: string, reason: string | undefined): Promise<TicketView> {
    return call(`${ticketPath(id)}/cancel`, ticketViewSchema, { method: 'POST', json: reason ? { reason } : {} });
  },

  reset(id: string, reason: string | undefined): Promise<EnrollmentCodeIssued> {
    return call(`${ticketPath(id)}/reset`, enrollmentCodeIssuedSchema, {
      method: 'POST',
      json: reason ? { reason } : {},
    });
  },

  newEnrollmentCode(id: string): Promise<EnrollmentCodeIssued> {
    return call(`${ticketPath(id)}/enrollment-code`, enrollmentCodeIssuedSchema, { method: 'POST', json: {} });
  },

  async retryFailure(id: string, jobId: string): Promise<void> {
    await call(`${ticketPath(id)}/failures/${encodeURIComponent(jobId)}/retry`, anyAnswer, {
      method: 'POST',
      json: {},
    });
  },
};

/** One line for an error box: the API's own message when there is one. */
/** The error as words: what kind of error (never its bare code), then the API's message. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${ERROR_LABELS[error.code]}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
