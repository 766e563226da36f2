import { OmtError } from '@omt/contracts';
import { CONFIG_DESCRIPTIONS, CONFIG_VARIABLES, loadConfig } from './config';

function configError(environment: NodeJS.ProcessEnv): OmtError {
  try {
    loadConfig(environment);
  } catch (error) {
    if (error instanceof OmtError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('works with no variables at all on a developer machine', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toMatch(/^postgres:\/\//);
    expect(config.migrateOnStart).toBe(true);
  });

  it('reads and converts the given values', () => {
    const config = loadConfig({
      PORT: '4100',
      DATABASE_URL: 'postgres://u@db:5432/ops',
      REDIS_URL: 'redis://cache:6379',
      OMT_MIGRATE_ON_START: 'false',
      OMT_REDIS_PREFIX: 'omt-a',
    });
    expect(config).toMatchObject({ port: 4100, redisPrefix: 'omt-a', migrateOnStart: false });
    expect(config.tenantDatabaseUrl).toBe('postgres://u@db:5432/ops');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x/y'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://cache'],
    ['OMT_TENANT_DATABASE_URL', 'x'],
    ['LOG_LEVEL', 'loud'],
    ['NODE_ENV', 'staging'],
    ['OMT_MIGRATE_ON_START', 'yes'],
    ['OMT_REDIS_PREFIX', 'a b'],
    ['OMT_DASHBOARD_ORIGIN', 'ftp://x'],
    ['OMT_DASHBOARD_ORIGIN', 'https://ops.example.com/app'],
    ['OMT_DASHBOARD_ORIGIN', 'https://ops.example.com,not an origin'],
    ['OMT_DASHBOARD_ORIGIN', ' , '],
    ['OMT_ENROLLMENT_CODE_TTL_HOURS', '0'],
    ['OMT_ENROLLMENT_CODE_TTL_HOURS', 'week'],
    ['OMT_SESSION_TTL_HOURS', '-1'],
  ])('refuses an invalid %s (%s) and names it', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(name);
    expect(error.details.map((d) => d.path)).toEqual([name]);
  });

  it.each(['DATABASE_URL', 'REDIS_URL', 'OMT_BLOB_DIR'])('requires %s in production and names it', (name) => {
    const complete: NodeJS.ProcessEnv = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://u@db/ops',
      REDIS_URL: 'redis://cache:6379',
      OMT_BLOB_DIR: '/var/lib/omt',
    };
    expect(() => loadConfig(complete)).not.toThrow();
    delete complete[name];
    const error = configError(complete);
    expect(error.message).toContain(name);
    expect(error.details).toEqual([{ path: name, message: 'must be set in production' }]);
  });

  it('names every bad variable at once', () => {
    const error = configError({ PORT: 'x', REDIS_URL: 'y' });
    expect(error.details.map((d) => d.path).sort()).toEqual(['PORT', 'REDIS_URL']);
  });

  it('defaults the enrollment code to 7 days and has no first admin unless asked', () => {
    const config = loadConfig({});
    expect(config.enrollmentCodeTtlHours).toBe(168);
    expect(config.sessionTtlHours).toBeGreaterThan(0);
    expect(config.firstAdmin).toBeNull();
  });

  it('reads the first admin when both variables are given', () => {
    const config = loadConfig({ OMT_ADMIN_EMAIL: 'root@example.com', OMT_ADMIN_PASSWORD: 'correct horse battery' });
    expect(config.firstAdmin).toEqual({ email: 'root@example.com', password: 'correct horse battery' });
  });

  it.each([
    [{ OMT_ADMIN_EMAIL: 'root@example.com' }, 'OMT_ADMIN_PASSWORD'],
    [{ OMT_ADMIN_PASSWORD: 'correct horse battery' }, 'OMT_ADMIN_EMAIL'],
  ])('names the missing half of the first admin (%j)', (environment, missing) => {
    const error = configError(environment);
    expect(error.details).toEqual([{ path: missing, message: expect.stringContaining('must be set together') }]);
    expect(error.message).toContain(missing);
  });

  it('refuses a short first admin password', () => {
    const error = configError({ OMT_ADMIN_EMAIL: 'root@example.com', OMT_ADMIN_PASSWORD: 'short' });
    expect(error.details.map((d) => d.path)).toEqual(['OMT_ADMIN_PASSWORD']);
  });

  it('reads the dashboard origins as a list, as a browser writes them in Origin', () => {
    expect(loadConfig({}).dashboardOrigins).toEqual(['http://127.0.0.1:5173']);
    const config = loadConfig({
      OMT_DASHBOARD_ORIGIN: 'https://Ops.Example.com/, http://127.0.0.1:5173 ,https://b.example.com:443',
    });
    expect(config.dashboardOrigins).toEqual([
      'https://ops.example.com',
      'http://127.0.0.1:5173',
      'https://b.example.com',
    ]);
  });

  it('reads the retention settings, fractions of hours included, and refuses a negative grace period', () => {
    const config = loadConfig({
      OMT_RETENTION_HOURS: '0.5',
      OMT_RETENTION_SWEEP_SECONDS: '30',
      OMT_PARTIAL_FILE_HOURS: '2',
    });
    expect(config).toMatchObject({ retentionHours: 0.5, retentionSweepSeconds: 30, partialFileHours: 2 });
    expect(loadConfig({})).toMatchObject({ retentionHours: 72, retentionSweepSeconds: 600, partialFileHours: 24 });
    expect(configError({ OMT_RETENTION_HOURS: '-1', OMT_PARTIAL_FILE_HOURS: '0' }).details.map((d) => d.path)).toEqual([
      'OMT_RETENTION_HOURS',
      'OMT_PARTIAL_FILE_HOURS',
    ]);
    for (const name of ['OMT_RETENTION_HOURS', 'OMT_RETENTION_SWEEP_SECONDS', 'OMT_PARTIAL_FILE_HOURS']) {
      expect(CONFIG_DESCRIPTIONS[name]).toBeTruthy();
    }
  });

  it('leases a ticket to its agent for 60 s unless told otherwise, and refuses a lease under a second', () => {
    expect(loadConfig({}).agentLeaseSeconds).toBe(60);
    expect(loadConfig({ OMT_AGENT_LEASE_SECONDS: '2.5' }).agentLeaseSeconds).toBe(2.5);
    expect(configError({ OMT_AGENT_LEASE_SECONDS: '0.1' }).details.map((d) => d.path)).toEqual([
      'OMT_AGENT_LEASE_SECONDS',
    ]);
  });

  it('documents every new variable', () => {
    for (const name of [
      'OMT_AGENT_LEASE_SECONDS',
      'OMT_ADMIN_EMAIL',
      'OMT_ADMIN_PASSWORD',
      'OMT_ENROLLMENT_CODE_TTL_HOURS',
      'OMT_SESSION_TTL_HOURS',
      'OMT_DASHBOARD_ORIGIN',
      'OMT_TRUST_PROXY',
    ]) {
      expect(CONFIG_VARIABLES).toContain(name);
      expect(CONFIG_DESCRIPTIONS[name]).toBeTruthy();
    }
  });
});
