import { ticketListSchema, ticketViewSchema, type MigrationState } from '@omt/contracts';
import { TicketStateService } from '../src/ticket-state/ticket-state.service';
import { startTestApi, type TestApi } from './support/test-api';
import { ticketRequest, uniqueCustomerId, type Credential } from './support/auth-helpers';
import { databaseUrl, queryDatabase } from '../../../test/support/databases';

const TO_COMPLETED: MigrationState[] = ['ready', 'uploading', 'importing', 'verifying', 'configuring', 'completed'];

describe('tickets, tenants and the audit trail', () => {
  let api: TestApi;
  let sales: Credential;
  let ops: Credential;
  let states: TicketStateService;
  /** Walks an enrolled ticket to `completed` through the one state service, as the workers will. */
  const complete = async (ticketId: string) => {
    for (const to of TO_COMPLETED) await states.transition(ticketId, to, 'system', `test: ${to}`);
  };

  beforeAll(async () => {
    api = await startTestApi('tickets');
    sales = await api.createSalesKey('crm');
    ops = await api.loginAs('ops');
    states = api.context.get(TicketStateService, { strict: false });
  });
  afterAll(async () => api.close());

  it('opens a ticket with its tenant in migration_pending and a one-time code', async () => {
    const request = ticketRequest({ companyName: '  Acme  ' });
    const answer = await api.call('POST', '/api/tickets', { as: sales, body: request });
    expect(answer.status).toBe(201);
    expect(answer.body.ticket).toMatchObject({
      customerId: request.customerId,
      companyName: 'Acme',
      state: 'created',
      kind: 'test',
      tenant: { state: 'migration_pending', environment: 'online', databaseName: `${api.config.tenantDatabasePrefix}${request.customerId.toLowerCase()}` },
    });
    expect(answer.body.enrollmentCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){7}$/);
    const expires = Date.parse(answer.body.enrollmentCodeExpiresAt) - Date.now();
    expect(expires).toBeGreaterThan(167 * 3_600_000);
    expect(expires).toBeLessThanOrEqual(168 * 3_600_000);
  });

  it('refuses a second open ticket for the customer, and allows one after cancelling, on the same tenant', async () => {
    const first = await api.createTicket(sales);
    const customerId = first.ticket.customerId;
    const second = await api.call('POST', '/api/tickets', { as: sales, body: ticketRequest({ customerId }) });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'TICKET_ALREADY_OPEN', details: [{ path: 'customerId' }] });

    await api.call('POST', `/api/tickets/${first.ticket.id}/cancel`, { as: ops, body: { reason: 'wrong serial' } });
    const third = await api.createTicket(sales, { customerId });
    expect(third.ticket.tenant.databaseName).toBe(first.ticket.tenant.databaseName);
    const tenants = await queryDatabase(api.database.url, 'SELECT count(*)::int AS n FROM "Tenant" WHERE "customerId" = $1', [customerId]);
    expect(tenants[0]!.n).toBe(1);
  });

  it('refuses two racing tickets for one customer: exactly one wins', async () => {
    const request = ticketRequest();
    const answers = await Promise.all([1, 2, 3].map(() => api.call('POST', '/api/tickets', { as: sales, body: request })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
    expect(answers.filter((a) => a.status === 409).map((a) => a.body.code)).toEqual(['TICKET_ALREADY_OPEN', 'TICKET_ALREADY_OPEN']);
  });

  it('writes an audit event for each transition: when, who, from, to, why', async () => {
    const created = await api.createTicket(sales);
    const id = created.ticket.id;
    await api.enroll(created.enrollmentCode);
    await complete(id);
    const trail = await api.call('GET', `/api/tickets/${id}/events`, { as: ops });
    expect(trail.status).toBe(200);
    const changes = trail.body.items.filter((e: { action: string }) => e.action === 'ticket.stateChanged');
    const chain: MigrationState[] = ['created', 'enrolled', ...TO_COMPLETED];
    expect(changes.map((e: { from: string; to: string }) => `${e.from}→${e.to}`)).toEqual(chain.slice(1).map((to, i) => `${chain[i]}→${to}`));
    expect(changes[0]).toMatchObject({ actor: `agent:${id}`, reason: 'enrollment code used' });
    expect(changes[1]).toMatchObject({ actor: 'system', reason: 'test: ready' });
    for (const event of changes) expect(Date.parse(event.at)).not.toBeNaN();
    expect(trail.body.items[0]).toMatchObject({ action: 'ticket.created', actor: 'sales:crm', to: 'created' });
  });

  it('answers a forbidden transition with 409 and its code, writing nothing', async () => {
    const created = await api.createTicket(sales);
    const id = created.ticket.id;
    expect((await api.call('POST', `/api/tickets/${id}/cancel`, { as: ops })).status).toBe(200);
    const again = await api.call('POST', `/api/tickets/${id}/cancel`, { as: ops });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'STATE_TRANSITION_FORBIDDEN', details: [{ path: 'state' }] });
    await expect(states.transition(id, 'uploading', 'system', null)).rejects.toMatchObject({ code: 'STATE_TRANSITION_FORBIDDEN' });
    const trail = await api.call('GET', `/api/tickets/${id}/events`, { as: ops });
    expect(trail.body.items.filter((e: { action: string }) => e.action === 'ticket.stateChanged')).toHaveLength(1);
  });

  it('resets a test migration: empties the tenant database, revokes the agent, issues a new code', async () => {
    const created = await api.createTicket(sales);
    const id = created.ticket.id;
    const agent = await api.enroll(created.enrollmentCode);
    await complete(id);
    const tenantDb = created.ticket.tenant.databaseName;
    await queryDatabase(api.config.tenantDatabaseUrl, `CREATE DATABASE "${tenantDb}"`);

    const answer = await api.call('POST', `/api/tickets/${id}/reset`, { as: ops, body: { reason: 'run it again' } });
    expect(answer.status).toBe(200);
    expect(answer.body.ticket).toMatchObject({ state: 'created', tenant: { state: 'migration_pending' } });
    // Emptied, not left dropped: a worker's pool to the tenant reconnects to the new, empty database.
    const left = await queryDatabase(databaseUrl(tenantDb), 'SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [
      api.config.tenantSchema,
    ]);
    expect(left).toEqual([]);
    expect((await api.call('GET', `/api/tickets/${id}`, { as: agent })).status).toBe(401);
    const newAgent = await api.enroll(answer.body.enrollmentCode);
    expect((await api.call('GET', `/api/tickets/${id}`, { as: newAgent })).body.state).toBe('enrolled');
    const trail = await api.call('GET', `/api/tickets/${id}/events`, { as: ops });
    expect(trail.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'tenant.wiped' }),
        expect.objectContaining({ action: 'ticket.stateChanged', from: 'completed', to: 'created', reason: 'run it again' }),
      ]),
    );
  });

  it('never resets a live migration and never opens another once it completed', async () => {
    const live = await api.createTicket(sales, { kind: 'live' });
    const id = live.ticket.id;
    await api.enroll(live.enrollmentCode);
    const early = await api.call('POST', `/api/tickets/${id}/reset`, { as: ops });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('STATE_TRANSITION_FORBIDDEN');

    await complete(id);
    const late = await api.call('POST', `/api/tickets/${id}/reset`, { as: ops });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('LIVE_MIGRATION_COMPLETED');
    for (const kind of ['live', 'test'] as const) {
      const again = await api.call('POST', '/api/tickets', { as: sales, body: ticketRequest({ customerId: live.ticket.customerId, kind }) });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('LIVE_MIGRATION_COMPLETED');
    }
  });

  it('lists with filters and pages', async () => {
    const customerId = uniqueCustomerId();
    const first = await api.createTicket(sales, { customerId });
    await api.call('POST', `/api/tickets/${first.ticket.id}/cancel`, { as: ops });
    await api.createTicket(sales, { customerId });

    const byCustomer = await api.call('GET', `/api/tickets?customerId=${customerId}`, { as: ops });
    const page = ticketListSchema.parse(byCustomer.body);
    expect(page.total).toBe(2);
    expect(page.items.map((t) => t.state)).toEqual(['created', 'cancelled']); // newest first

    const cancelled = ticketListSchema.parse((await api.call('GET', `/api/tickets?customerId=${customerId}&state=cancelled`, { as: ops })).body);
    expect(cancelled.items.map((t) => t.id)).toEqual([first.ticket.id]);

    const all = ticketListSchema.parse((await api.call('GET', '/api/tickets?limit=2&offset=1&kind=test', { as: ops })).body);
    expect(all).toMatchObject({ limit: 2, offset: 1 });
    expect(all.items).toHaveLength(2);
    expect(all.total).toBeGreaterThan(3);
    expect(all.items.every((t) => t.kind === 'test')).toBe(true);
  });

  it('reads one ticket, and answers an unknown one with 404', async () => {
    const created = await api.createTicket(sales);
    const one = await api.call('GET', `/api/tickets/${created.ticket.id}`, { as: ops });
    expect(ticketViewSchema.parse(one.body)).toEqual(created.ticket);
    const missing = await api.call('GET', '/api/tickets/00000000-0000-4000-8000-000000000000', { as: ops });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NOT_FOUND');
  });

  it.each([
    ['a body with bad and missing fields', 'POST', '/api/tickets', { body: { customerId: 'X1', environment: 'prod', kind: 'x' } }, ['customerId', 'companyName', 'environment', 'kind', 'salesRep']],
    ['an unknown field', 'POST', '/api/tickets', { body: { ...ticketRequest(), admin: true } }, ['']],
    ['a nested bad email', 'POST', '/api/tickets', { body: ticketRequest({ salesRep: { name: 'S', email: 'nope' } }) }, ['salesRep.email']],
    ['a JSON array', 'POST', '/api/tickets', { body: [1] }, ['']],
    ['broken JSON', 'POST', '/api/tickets', { rawBody: '{"customerId":' }, []],
    ['a bad ticket id', 'GET', '/api/tickets/not-a-uuid', {}, ['id']],
    ['a bad filter', 'GET', '/api/tickets?state=flying&limit=0', {}, ['state', 'limit']],
    ['an unknown query parameter', 'GET', '/api/tickets?sort=name', {}, ['']],
    ['a bad action body', 'POST', '/api/tickets/00000000-0000-4000-8000-000000000000/cancel', { body: { reason: 5 } }, ['reason']],
    ['a bad login body', 'POST', '/api/auth/login', { body: { email: 'x' } }, ['email', 'password']],
  ])('answers %s with 400 and the envelope naming the fields', async (_what, method, path, options, paths) => {
    const as = path.startsWith('/api/tickets') && method === 'POST' && path === '/api/tickets' ? sales : path.startsWith('/api/auth') ? null : ops;
    const answer = await api.call(method, path, { as, ...(options as object) });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    expect(typeof answer.body.message).toBe('string');
    const got: string[] = answer.body.details.map((d: { path: string }) => d.path);
    expect(got).toEqual(expect.arrayContaining(paths));
  });
});
