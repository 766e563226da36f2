import { OmtError } from '@omt/contracts';
import { loadConfig } from './config';

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
});
