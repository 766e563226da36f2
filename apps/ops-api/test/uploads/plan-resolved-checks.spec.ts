import type { CheckReport, CheckResult, PlanSubmission } from '@omt/contracts';
import { queryDatabase } from '../../../../test/support/databases';
import type { Credential } from '../support/auth-helpers';
import { startTestApi, type TestApi } from '../support/test-api';
import { enrolledTicket, startRequest, validPlan } from './upload-fixtures';

/**
 * Issue 14: blocking findings the plan fixes (shared login emails, no
 * administrator with a plan) hold the ticket in `checks_failed` only until a
 * plan that resolves them is stored; findings only onsite work fixes keep
 * blocking whatever the plan says.
 */

const finding = (id: CheckResult['id'], subjects: string[], message: string): CheckResult => ({
  id,
  severity: 'block',
  title: `${id} title`,
  passed: false,
  message,
  subjects,
  fix: 'Fix it in SuperOffice.',
});

/** ADMIN and JD share ada@example.com onsite, and ADMIN, the one administrator, holds no plan today. */
const planFindings: CheckReport = {
  results: [
    {
      id: 'version-supported',
      severity: 'block',
      title: 'Version',
      passed: true,
      message: '10.3',
      subjects: [],
      fix: '',
    },
    finding('user-email-duplicate', ['ADMIN', 'JD'], "users 'ADMIN' and 'JD' share ada@example.com."),
    finding('admin-without-plan', ['ADMIN'], "'ADMIN' is an administrator without a user plan."),
  ],
  blocked: true,
};

const withTravel: CheckReport = {
  results: [...planFindings.results, finding('users-on-travel', ['KY'], "'KY' is out on Travel.")],
  blocked: true,
};

/**
 * Valid by validatePlan, but its directory calls JD the administrator, so
 * ADMIN stays without a plan (the shared address is resolved: ADMIN does not
 * log in).
 */
function unresolvingPlan(): PlanSubmission {
  const submission = validPlan();
  submission.directory.users[0]!.isAdministrator = false;
  submission.directory.users[1]!.isAdministrator = true;
  submission.directory.users[1]!.emails = ['ada@example.com'];
  submission.plan.users[0] = { ...submission.plan.users[0]!, plan: null, loginEmail: null };
  submission.plan.users[1] = { ...submission.plan.users[1]!, plan: 'ten-sales', loginEmail: 'ada@example.com' };
  return submission;
}

describe('blocking check findings that the plan resolves', () => {
  let api: TestApi;
  let sales: Credential;
  beforeAll(async () => {
    api = await startTestApi('plan_checks');
    sales = await api.createSalesKey();
  });
  afterAll(async () => api.close());

  const sql = (text: string, values: unknown[] = []) => queryDatabase(api.database.url, text, values);
  const stateOf = async (ticketId: string) =>
    (await sql('SELECT state FROM "Ticket" WHERE id = $1', [ticketId]))[0]!.state;
  const audit = (ticketId: string) =>
    sql('SELECT action, reason, "toState" FROM "AuditEvent" WHERE "ticketId" = $1 ORDER BY at, id', [ticketId]);

  it('holds the ticket in checks_failed until a plan resolves them, refuses a plan that does not, then lets the upload start', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    const checks = await api.call('PUT', '/api/agent/checks', { as: agent, body: planFindings });
    expect(checks.body.state).toBe('checks_failed');
    const refusedStart = await api.call('POST', '/api/agent/upload', { as: agent, body: startRequest({ contact: 1 }) });
    expect(refusedStart.status).toBe(409);

    // A plan that passes every rule of its own but leaves a finding of the report: refused, with one detail per finding left.
    const unresolved = await api.call('PUT', '/api/agent/plan', { as: agent, body: unresolvingPlan() });
    expect(unresolved.status).toBe(422);
    expect(unresolved.body).toMatchObject({
      code: 'CHECKS_UNRESOLVED',
      details: [
        {
          path: 'admin-without-plan',
          message: "admin-without-plan title: No administrator has a user plan in the plan: give one to 'ADMIN'.",
        },
      ],
    });
    expect((await sql('SELECT plan FROM "Ticket" WHERE id = $1', [ticketId]))[0]!.plan).toBeNull();
    expect(await stateOf(ticketId)).toBe('checks_failed');

    // The fixture's plan gives ADMIN a plan and leaves JD without one: both findings resolved, the ticket is ready.
    const stored = await api.call('PUT', '/api/agent/plan', { as: agent, body: validPlan() });
    expect(stored.status).toBe(200);
    expect(stored.body.state).toBe('ready');
    const trail = await audit(ticketId);
    expect(trail).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'checks.stored',
          reason:
            '3 check(s), 2 not passed; 2 fixed in the plan (until a plan resolves them: user-email-duplicate, admin-without-plan)',
        }),
        expect.objectContaining({
          action: 'plan.stored',
          reason:
            '2 user(s), 1 with a user plan; 2 fixed in the plan (resolved by the plan: user-email-duplicate, admin-without-plan)',
        }),
        expect.objectContaining({
          toState: 'ready',
          reason: 'the plan resolves the blocking check findings (user-email-duplicate, admin-without-plan)',
        }),
      ]),
    );

    const start = await api.call('POST', '/api/agent/upload', { as: agent, body: startRequest({ contact: 1 }) });
    expect(start.status).toBe(200);
    expect(await stateOf(ticketId)).toBe('uploading');
  });

  it('judges checks sent after the plan (the wizard submits its plan first) against the stored plan', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    expect((await api.call('PUT', '/api/agent/plan', { as: agent, body: validPlan() })).status).toBe(200);
    expect((await api.call('PUT', '/api/agent/checks', { as: agent, body: planFindings })).body.state).toBe('ready');

    // Checks run again onsite find the same problems among other users: the stored plan does not resolve them.
    const others: CheckReport = {
      results: [finding('user-email-duplicate', ['JD', 'KY'], "users 'JD' and 'KY' share jd@example.com.")],
      blocked: true,
    };
    expect((await api.call('PUT', '/api/agent/checks', { as: agent, body: others })).body.state).toBe('checks_failed');
    expect(await stateOf(ticketId)).toBe('checks_failed');
  });

  it('keeps findings only onsite work fixes blocking, whatever the plan resolves', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    expect((await api.call('PUT', '/api/agent/checks', { as: agent, body: withTravel })).body.state).toBe(
      'checks_failed',
    );
    const stored = await api.call('PUT', '/api/agent/plan', { as: agent, body: validPlan() });
    expect(stored.status).toBe(200);
    expect(stored.body.state).toBe('checks_failed');
    const start = await api.call('POST', '/api/agent/upload', { as: agent, body: startRequest({ contact: 1 }) });
    expect(start.status).toBe(409);
    expect(await stateOf(ticketId)).toBe('checks_failed');
  });

  it('keeps an administrator check that found no administrator at all blocking: no plan can fix it', async () => {
    const { agent } = await enrolledTicket(api, sales);
    const noAdmin: CheckReport = {
      results: [finding('admin-without-plan', [], 'There is no active user with the admin-all or admin-users right.')],
      blocked: true,
    };
    expect((await api.call('PUT', '/api/agent/checks', { as: agent, body: noAdmin })).body.state).toBe('checks_failed');
    expect((await api.call('PUT', '/api/agent/plan', { as: agent, body: validPlan() })).body.state).toBe(
      'checks_failed',
    );
  });
});
