import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OmtError } from '@omt/contracts';
import { AgentApiClient, WIRE_DAMAGE_ATTEMPTS, type RetryNotice } from '../src/api/agent-api-client';
import { parseRetryAfter, retryDelayMs, type RetryPolicy } from '../src/api/retry-policy';

/** A real HTTP server answering from a script, one answer per request; it records what it received. */
async function scriptedServer(script: Array<(req: IncomingMessage, res: ServerResponse) => void>) {
  const received: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      const answer = script[Math.min(received.length - 1, script.length - 1)]!;
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
const receipt = { table: 'person', sequence: 4, status: 'stored' };
const fast: RetryPolicy = { attempts: 4, baseDelayMs: 5, maxDelayMs: 50 };
const batch = { gzip: Buffer.from('not really gzip'), gzipSha256: 'b'.repeat(64), sha256: 'a'.repeat(64), rows: 3, bytes: 42 };

describe('retry policy', () => {
  it('keeps every backoff within [0, min(max, base·2^(n-1))) (full jitter)', () => {
    const policy: RetryPolicy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    for (let retry = 1; retry <= 8; retry++) {
      const cap = Math.min(1000, 100 * 2 ** (retry - 1));
      expect(retryDelayMs(retry, policy, null, () => 0)).toBe(0);
      expect(retryDelayMs(retry, policy, null, () => 0.999999)).toBe(cap - 1);
      for (let i = 0; i < 50; i++) {
        const delay = retryDelayMs(retry, policy);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(cap);
      }
    }
  });

  it('takes Retry-After (seconds or a date) over its own guess, bounded by the maximum', () => {
    const policy: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 5000 };
    expect(retryDelayMs(1, policy, parseRetryAfter('2'))).toBe(2000);
    expect(retryDelayMs(1, policy, parseRetryAfter('3600'))).toBe(5000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});

describe('AgentApiClient over real HTTP', () => {
  it('sends a batch as gzip with both sha256s, its rows, bytes and token, and parses the receipt', async () => {
    const server = await scriptedServer([json(200, receipt)]);
    try {
      const client = new AgentApiClient({ baseUrl: server.url, token: 'omt_at_secret', retry: fast });
      await expect(client.putBatch('odd/"name"', 4, batch)).resolves.toEqual(receipt);
      const [request] = server.received;
      expect(request).toMatchObject({ method: 'PUT', url: '/api/agent/tables/odd%2F%22name%22/batches/4' });
      expect(request!.headers).toMatchObject({
        authorization: 'Bearer omt_at_secret',
        'content-type': 'application/gzip',
        'x-omt-gzip-sha256': 'b'.repeat(64),
        'x-omt-sha256': 'a'.repeat(64),
        'x-omt-rows': '3',
        'x-omt-bytes': '42',
      });
      expect(request!.body.equals(batch.gzip)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('retries 5xx and 429 (honouring Retry-After) until an answer, telling about every retry', async () => {
    const server = await scriptedServer([
      json(503, { code: 'SERVICE_UNAVAILABLE', message: 'restarting', details: [] }),
      json(429, { code: 'RATE_LIMITED', message: 'slow down', details: [] }, { 'retry-after': '1' }),
      json(200, receipt),
    ]);
    const notices: RetryNotice[] = [];
    try {
      const client = new AgentApiClient({
        baseUrl: server.url,
        retry: { ...fast, maxDelayMs: 2000 },
        onRetry: (n) => notices.push(n),
      });
      await expect(client.putBatch('person', 4, batch)).resolves.toEqual(receipt);
      expect(server.received).toHaveLength(3);
      expect(notices.map((n) => n.reason)).toEqual(['restarting', 'slow down']);
      expect(notices[1]!.delayMs).toBe(1000);
    } finally {
      await server.close();
    }
  });

  it('never retries a 4xx other than 429, and raises the server code and message', async () => {
    const server = await scriptedServer([
      json(409, { code: 'BATCH_CONFLICT', message: 'other bytes for batch 4', details: [] }),
    ]);
    try {
      const client = new AgentApiClient({ baseUrl: server.url, retry: fast });
      const error = await client.putBatch('person', 4, batch).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OmtError);
      expect(error).toMatchObject({ code: 'BATCH_CONFLICT', message: 'other bytes for batch 4' });
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('sends a batch the API found damaged on the way again, a bounded number of times', async () => {
    const mismatch = json(422, { code: 'CHECKSUM_MISMATCH', message: 'damaged on the way', details: [] });
    const healed = await scriptedServer([
      mismatch,
      json(422, { code: 'BATCH_INVALID', message: 'not gzip', details: [] }),
      json(200, receipt),
    ]);
    const broken = await scriptedServer([mismatch]);
    try {
      const retries: RetryNotice[] = [];
      const client = new AgentApiClient({ baseUrl: healed.url, retry: fast, onRetry: (r) => retries.push(r) });
      await expect(client.putBatch('person', 4, batch)).resolves.toEqual(receipt);
      expect(healed.received).toHaveLength(3);
      expect(healed.received.every((r) => r.body.equals(batch.gzip))).toBe(true);
      expect(retries.map((r) => r.reason)).toEqual(['damaged on the way', 'not gzip']);

      // The same damage every time is not the wire: the error, after WIRE_DAMAGE_ATTEMPTS tries.
      const stubborn = new AgentApiClient({ baseUrl: broken.url, retry: fast });
      await expect(stubborn.putBatch('person', 4, batch)).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
      expect(broken.received).toHaveLength(WIRE_DAMAGE_ATTEMPTS);
    } finally {
      await healed.close();
      await broken.close();
    }
  });

  it('gives up after the configured attempts with the last error', async () => {
    const server = await scriptedServer([json(500, { code: 'INTERNAL', message: 'boom', details: [] })]);
    try {
      const client = new AgentApiClient({ baseUrl: server.url, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
      await expect(client.session()).rejects.toMatchObject({ code: 'INTERNAL', message: 'boom' });
      expect(server.received).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('retries a dropped connection and a proxy error page, then raises the next coded error', async () => {
    const server = await scriptedServer([
      (req) => req.socket.destroy(),
      (_req, res) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>Bad gateway</html>');
      },
      json(404, { code: 'NOT_FOUND', message: 'no such ticket', details: [] }),
    ]);
    const notices: RetryNotice[] = [];
    try {
      const client = new AgentApiClient({ baseUrl: server.url, retry: fast, onRetry: (n) => notices.push(n) });
      await expect(client.session()).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no such ticket' });
      expect(server.received).toHaveLength(3);
      expect(notices[0]!.reason).toMatch(/Cannot reach the omt API/);
      expect(notices[1]!.reason).toMatch(/HTTP 502: <html>Bad gateway<\/html>/);
    } finally {
      await server.close();
    }
  });

  it('does not repeat a spent enrollment after the connection dropped (the code may have been used)', async () => {
    const server = await scriptedServer([(req) => req.socket.destroy(), json(200, {})]);
    try {
      const client = new AgentApiClient({ baseUrl: server.url, retry: fast });
      await expect(client.enroll('ABCD-EFGH-JKMN')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('rejects an answer that does not match the protocol', async () => {
    const server = await scriptedServer([json(200, { table: 'person', sequence: -1, status: 'maybe' })]);
    try {
      const client = new AgentApiClient({ baseUrl: server.url, retry: fast });
      await expect(client.putBatch('person', 4, batch)).rejects.toMatchObject({
        code: 'INTERNAL',
        message: expect.stringContaining('does not match'),
      });
    } finally {
      await server.close();
    }
  });

  it('stops waiting between retries when the run is aborted', async () => {
    const server = await scriptedServer([json(503, { code: 'SERVICE_UNAVAILABLE', message: 'down', details: [] })]);
    try {
      const stop = new AbortController();
      const client = new AgentApiClient({
        baseUrl: server.url,
        retry: { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 },
        signal: stop.signal,
      });
      const reason = new Error('ctrl-c');
      const pending = client.session();
      setTimeout(() => stop.abort(reason), 100);
      await expect(pending).rejects.toBe(reason);
    } finally {
      await server.close();
    }
  });
});

describe('an --api address that is wrong or down', () => {
  const html = (status: number) => (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><body>Welcome to our intranet</body></html>');
  };

  it.each([
    ['a web page', html(200), /answered POST \/api\/agent\/enroll with a web page/],
    ['a 404 page', html(404), /answered POST \/api\/agent\/enroll with HTTP 404/],
  ])('says the address is not an omt API when it answers %s, without retrying', async (_what, answer, said) => {
    const server = await scriptedServer([answer]);
    try {
      const client = new AgentApiClient({ baseUrl: server.url, retry: fast });
      const error = await client.enroll('ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'API_NOT_FOUND' });
      const message = (error as OmtError).message;
      expect(message).toMatch(said);
      expect(message).toContain(`${server.url} is not an omt API`);
      expect(message).toMatch(/Check --api .*like https:\/\/omt\.example\.com, without \/api/);
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('says it cannot reach an API that is down, and what to check', async () => {
    const server = await scriptedServer([json(200, {})]);
    await server.close(); // the port is free now: nothing listens there
    const notices: RetryNotice[] = [];
    const client = new AgentApiClient({ baseUrl: server.url, retry: fast, onRetry: (n) => notices.push(n) });
    const error = await client.enroll('ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect((error as OmtError).message).toBe(
      `Cannot reach the omt API at ${server.url}: nothing answers at that address and port (ECONNREFUSED). ` +
        'Check the address given with --api (OMT_API_URL) and that this machine can reach it (network, proxy, firewall).',
    );
    // A refused connection is safe to repeat even for the one-time enrollment: the server never saw it.
    expect(notices).toHaveLength(fast.attempts - 1);
  });

  it('names an unknown host as such', async () => {
    const client = new AgentApiClient({ baseUrl: 'http://omt-api.invalid', retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    await expect(client.session()).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringMatching(/^Cannot reach the omt API at http:\/\/omt-api\.invalid: the host name (is unknown|could not be resolved) \((ENOTFOUND|EAI_AGAIN)\)\./),
    });
  });
});

