import { healthResponseSchema } from '@omt/contracts';
import { startTestApi, type TestApi } from './support/test-api';

describe('GET /api/health against the real services', () => {
  let api: TestApi;
  afterEach(async () => api?.close());

  it('reports PostgreSQL and Redis up with their latency', async () => {
    api = await startTestApi('health-up');
    const response = await fetch(`${api.url}/api/health`);
    expect(response.status).toBe(200);
    const body = healthResponseSchema.parse(await response.json());
    expect(body.status).toBe('ok');
    expect(body.dependencies.postgres).toMatchObject({ status: 'up' });
    expect(body.dependencies.redis).toMatchObject({ status: 'up' });
    expect(body.dependencies.redis.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('answers 503 and names Redis when Redis does not answer', async () => {
    // Port 1 on loopback: nothing listens there, so every connection is refused.
    api = await startTestApi('health-redis-down', { env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    const response = await fetch(`${api.url}/api/health`);
    expect(response.status).toBe(503);
    const body = healthResponseSchema.parse(await response.json());
    expect(body.status).toBe('degraded');
    expect(body.dependencies.postgres.status).toBe('up');
    expect(body.dependencies.redis.status).toBe('down');
    expect(body.dependencies.redis.error).toBeTruthy();
  });

  it('answers 503 and names PostgreSQL when its database is gone', async () => {
    api = await startTestApi('health-pg-down');
    await api.database.drop();
    const response = await fetch(`${api.url}/api/health`);
    expect(response.status).toBe(503);
    const body = healthResponseSchema.parse(await response.json());
    expect(body.dependencies.postgres.status).toBe('down');
    expect(body.dependencies.redis.status).toBe('up');
  });
});

describe('HTTP basics', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('http-basics');
  });
  afterAll(async () => api.close());

  it('answers an unknown route with the error envelope', async () => {
    const response = await fetch(`${api.url}/api/does-not-exist`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      code: 'NOT_FOUND',
      message: 'No route GET /api/does-not-exist.',
      details: [],
    });
  });

  it('publishes the OpenAPI document with the health endpoint and its schema', async () => {
    const response = await fetch(`${api.url}/api/docs/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Record<string, { get?: { responses: Record<string, unknown> } }> };
    const health = document.paths['/api/health']?.get;
    expect(health).toBeDefined();
    expect(Object.keys(health!.responses)).toEqual(expect.arrayContaining(['200', '503']));
  });
});
