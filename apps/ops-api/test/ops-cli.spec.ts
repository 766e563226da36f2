import { runOps } from '../src/cli/ops';
import { startTestApi, type TestApi } from './support/test-api';

/** Runs the CLI in-process against the test API's database and collects what it prints. */
async function ops(api: TestApi, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const env = { DATABASE_URL: api.database.url, OMT_MIGRATE_ON_START: 'false', LOG_LEVEL: 'silent' };
  const code = await runOps(argv, env, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('npm run ops', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('ops-cli');
  });
  afterAll(async () => api.close());

  it('keys create prints a sales key once, and it works against the API', async () => {
    const created = await ops(api, ['keys', 'create', '--role', 'sales', '--name', 'CRM integration']);
    expect(created.code).toBe(0);
    const key = /omt_sk_\S+/.exec(created.out)?.[0];
    expect(key).toBeDefined();
    expect((await api.call('GET', '/api/auth/me', { as: { bearer: key! } })).body).toMatchObject({ role: 'sales', name: 'CRM integration' });

    const listed = await ops(api, ['--json', 'keys', 'list']);
    expect(listed.out).not.toContain(key!);
    const [record] = JSON.parse(listed.out) as { id: string }[];
    expect((await ops(api, ['keys', 'revoke', record!.id])).code).toBe(0);
    expect((await api.call('GET', '/api/auth/me', { as: { bearer: key! } })).status).toBe(401);
  });

  it('users create makes an ops user who can log in; a generated password is shown once', async () => {
    const given = await ops(api, ['users', 'create', '--email', 'olga@example.com', '--role', 'ops', '--password', 'olga has a long password']);
    expect(given.code).toBe(0);
    expect(given.out).not.toContain('olga has a long password');
    const login = await api.call('POST', '/api/auth/login', { body: { email: 'olga@example.com', password: 'olga has a long password' } });
    expect(login.body).toMatchObject({ role: 'ops' });

    const generated = await ops(api, ['--json', 'users', 'create', '--email', 'ada@example.com', '--role', 'admin']);
    const { password } = JSON.parse(generated.out) as { password: string };
    expect((await api.call('POST', '/api/auth/login', { body: { email: 'ada@example.com', password } })).body.role).toBe('admin');
  });

  it('refuses bad input with a clear line and a non-zero exit', async () => {
    const role = await ops(api, ['keys', 'create', '--role', 'root', '--name', 'x']);
    expect(role.code).not.toBe(0);
    expect(role.err).toMatch(/root.*invalid|Allowed choices/i);
    const dup = await ops(api, ['users', 'create', '--email', 'olga@example.com', '--password', 'another long password']);
    expect(dup).toMatchObject({ code: 1, err: expect.stringContaining('exists already') });
    const weak = await ops(api, ['users', 'create', '--email', 'weak@example.com', '--password', 'short']);
    expect(weak).toMatchObject({ code: 1, err: expect.stringContaining('password') });
  });
});
