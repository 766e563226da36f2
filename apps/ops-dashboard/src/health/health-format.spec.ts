import type { HealthResponse } from '@omt/contracts';
import { formatLatency, summarizeHealth } from './health-format';

describe('formatLatency', () => {
  it('keeps a decimal under 10 ms and rounds above', () => {
    expect(formatLatency(0.42)).toBe('0.4 ms');
    expect(formatLatency(12.6)).toBe('13 ms');
    expect(formatLatency(undefined)).toBe('');
  });
});

describe('summarizeHealth', () => {
  const base: HealthResponse = {
    status: 'ok',
    version: '0.1.0',
    uptimeSeconds: 10,
    dependencies: { postgres: { status: 'up', latencyMs: 1 }, redis: { status: 'up', latencyMs: 0.3 } },
  };

  it('is operational when everything is up', () => {
    expect(summarizeHealth(base)).toEqual({ tone: 'ok', headline: 'All systems operational' });
  });

  it('names the dependencies that are down', () => {
    const redisDown: HealthResponse = {
      ...base,
      status: 'degraded',
      dependencies: { ...base.dependencies, redis: { status: 'down', error: 'ECONNREFUSED' } },
    };
    expect(summarizeHealth(redisDown)).toEqual({ tone: 'down', headline: 'Degraded: Redis is down' });

    const bothDown: HealthResponse = {
      ...redisDown,
      dependencies: { postgres: { status: 'down' }, redis: { status: 'down' } },
    };
    expect(summarizeHealth(bothDown).headline).toBe('Degraded: PostgreSQL and Redis are down');
  });

  it('still warns when the API says degraded without a named dependency', () => {
    expect(summarizeHealth({ ...base, status: 'degraded' })).toEqual({ tone: 'warn', headline: 'Degraded' });
  });
});
