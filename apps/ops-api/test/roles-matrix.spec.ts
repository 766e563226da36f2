import type { UserRole } from '@omt/contracts';
import { startTestApi, type TestApi } from './support/test-api';
import type { Credential } from './support/auth-helpers';
import { ticketRequest } from './support/auth-helpers';

type Caller = 'anonymous' | 'sales' | 'ops' | 'admin' | 'agent';
const CALLERS: Caller[] = ['anonymous', 'sales', 'ops', 'admin', 'agent'];

interface Endpoint {
  method: string;
  path: (ticketId: string) => string;
  body?: () => unknown;
  /** Who gets in, and the status they get; everyone else is refused. */
  allowed: Partial<Record<Caller, number>>;
}

const ENDPOINTS: Endpoint[] = [
  { method: 'POST', path: () => '/api/tickets', body: () => ticketRequest(), allowed: { sales: 201 } },
  { method: 'GET', path: () => '/api/tickets', allowed: { ops: 200, admin: 200 } },
  { method: 'GET', path: (id) => `/api/tickets/${id}`, allowed: { ops: 200, admin: 200, agent: 200 } },
  { method: 'GET', path: (id) => `/api/tickets/${id}/events`, allowed: { ops: 200, admin: 200, agent: 200 } },
  { method: 'GET', path: (id) => `/api/tickets/${id}/detail`, allowed: { ops: 200, admin: 200 } },
  { method: 'POST', path: (id) => `/api/tickets/${id}/cancel`, body: () => ({ reason: 'matrix' }), allowed: { ops: 200, admin: 200 } },
  { method: 'POST', path: (id) => `/api/tickets/${id}/reset`, body: () => ({}), allowed: { ops: 200, admin: 200 } },
  { method: 'POST', path: (id) => `/api/tickets/${id}/enrollment-code`, allowed: { ops: 200, admin: 200 } },
  { method: 'GET', path: () => '/api/auth/me', allowed: { sales: 200, ops: 200, admin: 200, agent: 200 } },
  { method: 'POST', path: () => '/api/auth/logout', allowed: { ops: 204, admin: 204 } },
];

const cases = ENDPOINTS.flatMap((endpoint) =>
  CALLERS.map((caller) => ({
    name: `${endpoint.method} ${endpoint.path(':id')}`,
    caller,
    endpoint,
    expected: endpoint.allowed[caller] ?? (caller === 'anonymous' ? 401 : 403),
  })),
);

describe('every endpoint × every role', () => {
  let api: TestApi;
  let sales: Credential;
  const sessions = new Map<UserRole, Credential>();

  beforeAll(async () => {
    api = await startTestApi('roles-matrix');
    sales = await api.createSalesKey('matrix');
    for (const role of ['ops', 'admin'] as const) sessions.set(role, await api.loginAs(role));
  });
  afterAll(async () => api.close());

  it.each(cases)('$name as $caller → $expected', async ({ caller, endpoint, expected }) => {
    // Each case gets a ticket of its own, enrolled so that reset is allowed, and the agent of that ticket.
    const created = await api.createTicket(sales);
    const agent = await api.enroll(created.enrollmentCode);
    const loggingOut = endpoint.path('') === '/api/auth/logout';
    const as: Credential =
      caller === 'anonymous'
        ? null
        : caller === 'sales'
          ? sales
          : caller === 'agent'
            ? agent
            : loggingOut
              ? await api.loginAs(caller) // logout ends the session: never the shared one
              : sessions.get(caller)!;
    const answer = await api.call(endpoint.method, endpoint.path(created.ticket.id), { as, body: endpoint.body?.() });
    expect({ status: answer.status, body: answer.status >= 400 ? answer.body : undefined }).toEqual({
      status: expected,
      body: expected === 401 ? expect.objectContaining({ code: 'UNAUTHENTICATED' }) : expected === 403 ? expect.objectContaining({ code: 'FORBIDDEN' }) : undefined,
    });
  });

  it('refuses an unknown or malformed bearer token and an unknown session', async () => {
    for (const as of [{ bearer: 'omt_sk_nope' }, { bearer: 'omt_at_nope' }, { bearer: 'something' }, { cookie: 'omt_session=omt_ss_nope' }]) {
      const answer = await api.call('GET', '/api/auth/me', { as });
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('UNAUTHENTICATED');
    }
  });
});
