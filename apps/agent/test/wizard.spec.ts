import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrationPlanSchema, type TicketView } from '@omt/contracts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases';
import { eventually } from '../../../test/support/eventually';
import { wizardCommand } from '../src/cli/wizard.command';
import { createSampleDatabase } from '../src/sample/sample-db';
import { SAMPLE_ADMIN_LOGIN, SAMPLE_ADMIN_PASSWORD, SAMPLE_SALES_LOGIN } from '../src/sample/sample-users';
import { PostgresSource } from '../src/source/postgres-source';
import { MigrationSession } from '../src/wizard/migration-session';
import { FilePlanSink } from '../src/wizard/plan-sink';
import { DraftStore } from '../src/wizard/wizard-draft';
import { startWizardServer, type WizardServer } from '../src/wizard/wizard-server';
import { WizardUpload, type UploadView } from '../src/wizard/wizard-upload';

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('wizard');
  dir = await mkdtemp(join(tmpdir(), 'omt-wizard-'));
  await createSampleDatabase({
    target: db.url,
    archive: join(dir, 'arc'),
    seed: 7,
    size: 'small',
    problems: ['duplicate-emails'],
    schema: 'crm7',
  });
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const newSession = (out: string) =>
  new MigrationSession({
    openSource: () => new PostgresSource(db.url, 'crm7'),
    sourceLabel: 'sample',
    archive: join(dir, 'arc'),
    sink: new FilePlanSink(out),
  });

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(
  server: WizardServer,
  method: string,
  path: string,
  options: { cookie?: string; body?: unknown; host?: string; origin?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method,
        path,
        headers: {
          Host: options.host ?? `127.0.0.1:${server.port}`,
          ...(options.cookie ? { Cookie: options.cookie } : {}),
          ...(options.origin ? { Origin: options.origin } : {}),
          ...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Trades the one-time token for the wizard's cookie, as the browser does. */
async function cookieOf(server: WizardServer): Promise<string> {
  const url = new URL(server.url);
  const first = await call(server, 'GET', url.pathname + url.search);
  return String(first.headers['set-cookie']).split(';')[0]!;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads the part of the answer it asserts
type JsonAnswer = { status: number; body: any };

/** A JSON request to the wizard with its cookie: the status and the parsed answer. */
async function json(
  server: WizardServer,
  cookie: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<JsonAnswer> {
  const answer = await call(server, method, path, { cookie, body: body ?? (method === 'GET' ? undefined : {}) });
  return { status: answer.status, body: JSON.parse(answer.body) };
}

describe('the wizard server', () => {
  let server: WizardServer;
  let cookie: string;
  const out = () => join(dir, 'server-plan.json');

  beforeAll(async () => {
    server = await startWizardServer(newSession(out()));
  });
  afterAll(() => server.close());

  it('listens on 127.0.0.1 with a 256-bit token in its URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });

  it('refuses every request without the token or its cookie', async () => {
    for (const path of ['/', '/wizard.js', '/api/session', '/?token=wrong'])
      expect((await call(server, 'GET', path)).status).toBe(403);
    expect((await call(server, 'POST', '/api/logon', { body: { login: 'ADMIN', password: 'x' } })).status).toBe(403);
  });

  it('trades the token once for an httpOnly cookie and strips it from the address', async () => {
    const path = new URL(server.url).pathname + new URL(server.url).search;
    const first = await call(server, 'GET', path);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(new URL(server.url).searchParams.get('token'));
    cookie = setCookie.split(';')[0]!;
    expect((await call(server, 'GET', path)).status).toBe(403);
    const page = await call(server, 'GET', '/', { cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="/wizard.js">');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('refuses another Host (DNS rebinding) and another Origin, even with the cookie', async () => {
    expect((await call(server, 'GET', '/api/session', { cookie, host: `evil.example:${server.port}` })).status).toBe(
      403,
    );
    expect(
      (await call(server, 'POST', '/api/checks', { cookie, body: {}, origin: 'http://evil.example' })).status,
    ).toBe(403);
  });

  it('drives the session: logon refused and accepted, contact, checks, plan changes, submit', async () => {
    const json = (method: string, path: string, body?: unknown) => jsonAt(method, path, body);
    expect(await json('POST', '/api/checks')).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED' } },
    });
    expect(await json('POST', '/api/logon', { login: SAMPLE_SALES_LOGIN, password: 'Sample#2026' })).toMatchObject({
      status: 403,
      body: { error: { code: 'ADMIN_LOGON_REFUSED' } },
    });
    const logon = await json('POST', '/api/logon', { login: SAMPLE_ADMIN_LOGIN, password: SAMPLE_ADMIN_PASSWORD });
    expect(logon.status).toBe(200);
    expect(logon.body.administrator.login).toBe('ADMIN');
    expect(logon.body.password).toBeUndefined();

    const contact = await json('PUT', '/api/contact', { name: 'Mia', email: 'mia@', phone: '' });
    expect(
      contact.body.issues
        .filter((i: { path: string }) => i.path.startsWith('migrator'))
        .map((i: { code: string }) => i.code),
    ).toEqual(['migrator-email-invalid', 'migrator-phone-invalid']);
    await json('PUT', '/api/contact', { name: 'Mia', email: 'mia@partner.example', phone: '+47 22 33 44 55' });

    // The sample's duplicate address fails its check, but the plan step resolves it: not blocking onsite.
    const checks = await json('POST', '/api/checks');
    expect(checks.body.checks).toMatchObject({ blocking: false, resolvedInPlan: ['user-email-duplicate'] });
    expect(checks.body.issues.map((i: { code: string }) => i.code)).toEqual([
      'login-email-duplicate',
      'login-email-duplicate',
    ]);
    expect((await json('POST', '/api/submit')).body.error).toMatchObject({ code: 'PLAN_INVALID' });

    const mg = checks.body.directory.users.find((u: { login: string }) => u.login === 'MG');
    const fixed = await json('PATCH', `/api/plan/users/${mg.associateId}`, { loginEmail: 'mg@nordlys.example' });
    expect(fixed.body.issues).toEqual([]);
    expect((await json('PATCH', `/api/plan/users/${mg.associateId}`, { plan: 'nope' })).body.error.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await json('PATCH', '/api/plan/users/999', { plan: null })).status).toBe(404);
    await json('PUT', '/api/plan/settings', { sendWelcomeEmails: true });

    const submitted = await json('POST', '/api/submit');
    expect(submitted.body.submitted.location).toBe(out());
    const plan = migrationPlanSchema.parse(JSON.parse(await readFile(out(), 'utf8')));
    expect(plan.users.find((u) => u.login === 'MG')!.loginEmail).toBe('mg@nordlys.example');
    expect(plan).toMatchObject({ sendWelcomeEmails: true, migrator: { name: 'Mia' } });
    expect((await json('PATCH', `/api/plan/users/${mg.associateId}`, { plan: null })).body.error.code).toBe('CONFLICT');
    expect(submitted.body.submitted.nextStep).toContain(`omt-agent migrate --plan ${out()}`);
  });

  it('without an API, has no upload: the plan went to a file', async () => {
    expect(await jsonAt('GET', '/api/upload')).toEqual({ status: 200, body: { mode: 'file' } });
    expect(await jsonAt('POST', '/api/upload', { confirmFreeze: true })).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });
    expect(await jsonAt('POST', '/api/close')).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  const jsonAt = (method: string, path: string, body?: unknown) => json(server, cookie, method, path, body);
});

describe('the upload step, with an API that cannot be reached', () => {
  let server: WizardServer;
  let cookie: string;
  let deadApi: string;

  beforeAll(async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    deadApi = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));

    const session = newSession(join(dir, 'upload-plan.json'));
    const ticket = {
      id: 'ticket-1',
      customerId: 'Cust1',
      companyName: 'Frozen Fjord AS',
      environment: 'online',
      kind: 'live',
    } as TicketView;
    const upload = new WizardUpload(session, {
      apiUrl: deadApi,
      code: 'ABCD-EFGH',
      stateDir: join(dir, 'upload-state'),
      openSource: () => new PostgresSource(db.url, 'crm7'),
      archive: join(dir, 'arc'),
      ticket,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
    });
    server = await startWizardServer(session, { upload });
    cookie = await cookieOf(server);
  });
  afterAll(() => server.close());

  const jsonAt = (method: string, path: string, body?: unknown) => json(server, cookie, method, path, body);

  it('starts only after the plan is submitted and, for a live migration, the freeze confirmed; a failure shows its code and message and can be started again', async () => {
    expect((await jsonAt('GET', '/api/upload')).body).toMatchObject({
      mode: 'api',
      status: 'not-started',
      runs: 0,
      ticket: { kind: 'live' },
    });
    expect(await jsonAt('POST', '/api/upload', { confirmFreeze: true })).toMatchObject({
      status: 409,
      body: { error: { code: 'CONFLICT' } },
    });

    await jsonAt('POST', '/api/logon', { login: SAMPLE_ADMIN_LOGIN, password: SAMPLE_ADMIN_PASSWORD });
    await jsonAt('PUT', '/api/contact', { name: 'Mia', email: 'mia@partner.example', phone: '+47 22 33 44 55' });
    const checks = await jsonAt('POST', '/api/checks');
    const mg = checks.body.directory.users.find((u: { login: string }) => u.login === 'MG');
    await jsonAt('PATCH', `/api/plan/users/${mg.associateId}`, { loginEmail: 'mg@nordlys.example' });
    expect((await jsonAt('POST', '/api/submit')).status).toBe(200);

    expect(await jsonAt('POST', '/api/upload', {})).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(/live migration/) } },
    });
    expect(await jsonAt('POST', '/api/upload', { confirmFreeze: 'yes' })).toMatchObject({ status: 400 });

    const failed = (): Promise<UploadView> =>
      eventually(async () => (await jsonAt('GET', '/api/upload')).body as UploadView, {
        what: 'the upload to stop running',
        until: (view) => view.status !== 'running',
        timeoutMs: 20_000,
        intervalMs: 20,
      });
    expect((await jsonAt('POST', '/api/upload', { confirmFreeze: true })).body).toMatchObject({
      status: 'running',
      phase: 'preparing',
      runs: 1,
    });
    const first = await failed();
    expect(first).toMatchObject({
      status: 'failed',
      outcome: null,
      error: {
        code: 'SERVICE_UNAVAILABLE',
        message: expect.stringContaining(`Cannot reach the omt API at ${deadApi}`),
      },
    });
    expect(first.error!.message).not.toMatch(/\n\s+at /);
    expect(first.log.at(-1)).toMatch(/^The upload stopped: error \[SERVICE_UNAVAILABLE\]/);

    // Started again from the page: a second run, failing the same way while the API is away.
    expect((await jsonAt('POST', '/api/upload', { confirmFreeze: true })).body).toMatchObject({
      status: 'running',
      runs: 2,
    });
    expect(await failed()).toMatchObject({ status: 'failed', runs: 2, error: { code: 'SERVICE_UNAVAILABLE' } });
  });
});

describe('omt-agent wizard', () => {
  it('prints the one-time URL, serves until stopped, and says the plan was not submitted', async () => {
    let announced = '';
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const running = wizardCommand(
      { source: db.url, open: false, out: join(dir, 'cli-plan.json') },
      (t) => void (announced += t),
      stopped,
    );
    await eventually(() => announced, {
      what: 'the wizard to print its URL',
      until: (text) => /token=/.test(text),
      timeoutMs: 20_000,
      intervalMs: 10,
    });
    const url = announced.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/)![0];
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(303);
    stop();
    await expect(running).resolves.toMatchObject({ exitCode: 1, data: { submitted: null } });
  });
});

describe('the draft of an earlier start', () => {
  it('is offered until answered, blocks the logon until then, and is deleted on "start over"', async () => {
    const stateDir = join(dir, 'draft-state');
    const earlier = await DraftStore.open('sample', stateDir);
    const draftPlan = {
      formatVersion: 1 as const,
      users: [],
      migrator: { name: 'Mia', email: 'mia@partner.example', phone: '+47 22 33 44 55' },
      sendWelcomeEmails: true,
    };
    await earlier.store.save(draftPlan);

    const server = await startWizardServer(
      new MigrationSession({
        openSource: () => new PostgresSource(db.url, 'crm7'),
        sourceLabel: 'sample',
        archive: join(dir, 'arc'),
        sink: new FilePlanSink(join(dir, 'draft-plan.json')),
        drafts: await DraftStore.open('sample', stateDir),
      }),
    );
    try {
      const cookie = await cookieOf(server);
      const session = await json(server, cookie, 'GET', '/api/session');
      expect(session.body.draftOffer).toEqual({
        savedAt: expect.any(String),
        migrator: 'Mia',
        usersWithPlan: 0,
      });
      // Logging on first would overwrite the draft with the new work before the migrator chose.
      expect(
        await json(server, cookie, 'POST', '/api/logon', {
          login: SAMPLE_ADMIN_LOGIN,
          password: SAMPLE_ADMIN_PASSWORD,
        }),
      ).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT', message: expect.stringMatching(/draft/) } } });

      const answered = await json(server, cookie, 'POST', '/api/draft', { continue: false });
      expect(answered.body.draftOffer).toBeNull();
      await expect(readFile(earlier.store.file)).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await json(server, cookie, 'POST', '/api/draft', { continue: true })).status).toBe(409);

      const logon = await json(server, cookie, 'POST', '/api/logon', {
        login: SAMPLE_ADMIN_LOGIN,
        password: SAMPLE_ADMIN_PASSWORD,
      });
      expect(logon.body.plan.migrator).toEqual({ name: '', email: '', phone: '' });
    } finally {
      await server.close();
    }
  });
});
