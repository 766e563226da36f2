import { isOmtError } from '@omt/contracts';
import { RATE_LIMITS } from '../../src/auth/rate-limit.service';
import { loadConfig } from '../../src/config/config';
import { startTestApi, type TestApi } from '../support/test-api';

/**
 * Per-IP rate limits behind a load balancer: with OMT_TRUST_PROXY the
 * client's address comes from X-Forwarded-For (set by the trusted proxy);
 * without it a client cannot pick its own address with that header.
 */
const LIMIT = RATE_LIMITS.enrollmentPerIp.points;

async function badEnrollment(api: TestApi, forwardedFor: string): Promise<number> {
  const response = await fetch(`${api.url}/api/agent/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ code: 'not-a-real-enrollment-code' }),
  });
  await response.text();
  return response.status;
}

describe('OMT_TRUST_PROXY', () => {
  it.each([
    [undefined, false],
    ['true', true],
    ['false', false],
    ['2', 2],
    ['loopback, 10.0.0.0/8,fd00::1', ['loopback', '10.0.0.0/8', 'fd00::1']],
  ])('takes express values: %j → %j', (value, expected) => {
    expect(loadConfig({ OMT_TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each(['yes', '10.0.0.0/8, proxy.example.com', ''])('refuses %j, naming the variable', (value) => {
    let error: unknown;
    try {
      loadConfig({ OMT_TRUST_PROXY: value });
    } catch (caught) {
      error = caught;
    }
    expect(isOmtError(error) && error.code).toBe('CONFIG_INVALID');
    expect((error as Error).message).toContain('OMT_TRUST_PROXY');
  });

  let api: TestApi | undefined;
  afterEach(async () => api?.close());

  it('on: X-Forwarded-For decides whose failures count', async () => {
    api = await startTestApi('trust-proxy-on', { env: { OMT_TRUST_PROXY: 'loopback' } });
    for (let attempt = 0; attempt < LIMIT; attempt++) expect(await badEnrollment(api, '203.0.113.7')).toBe(401);
    expect(await badEnrollment(api, '203.0.113.7')).toBe(429);
    // Another client behind the same proxy is not held back by the first one's failures.
    expect(await badEnrollment(api, '203.0.113.8')).toBe(401);
  }, 60_000);

  it('off (the default): the header is ignored, the connection decides', async () => {
    api = await startTestApi('trust-proxy-off');
    expect(api.config.trustProxy).toBe(false);
    for (let attempt = 0; attempt < LIMIT; attempt++)
      expect(await badEnrollment(api, `203.0.113.${attempt}`)).toBe(401);
    expect(await badEnrollment(api, '198.51.100.1')).toBe(429);
  }, 60_000);
});
