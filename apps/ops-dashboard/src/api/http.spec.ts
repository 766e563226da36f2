import { healthResponseSchema, type HealthResponse } from '@omt/contracts';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, requestJson } from './http';

type Route = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const degraded: HealthResponse = {
  status: 'degraded',
  version: '0.1.0',
  uptimeSeconds: 42,
  dependencies: {
    postgres: { status: 'up', latencyMs: 1.2 },
    redis: { status: 'down', error: 'connect ECONNREFUSED' },
  },
};

const routes: Record<string, Route> = {
  '/api/health': (_req, res) => sendJson(res, 503, degraded),
  '/api/health-ok': (_req, res) => sendJson(res, 200, { ...degraded, status: 'ok' }),
  '/api/wrong-shape': (_req, res) => sendJson(res, 200, { status: 'ok' }),
  '/api/conflict': (_req, res) =>
    sendJson(res, 409, {
      code: 'TICKET_ALREADY_OPEN',
      message: "Customer 'acme' already has ticket T-1 open.",
      details: [{ path: 'customerId', message: 'already open' }],
    }),
  '/api/unavailable': (_req, res) =>
    sendJson(res, 503, { code: 'SERVICE_UNAVAILABLE', message: 'Shutting down.', details: [] }),
  '/api/echo': (req, res, body) =>
    sendJson(res, 200, {
      method: req.method,
      contentType: req.headers['content-type'],
      body: JSON.parse(body) as unknown,
    }),
  '/api/bad-gateway': (_req, res) => {
    res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway');
  },
  '/api/empty-500': (_req, res) => {
    res.writeHead(500).end();
  },
  '/api/teapot': (_req, res) => {
    res.writeHead(418, { 'content-type': 'text/plain' }).end('short and stout');
  },
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const route = routes[req.url ?? ''];
      if (route) route(req, res, body);
      else sendJson(res, 404, { code: 'NOT_FOUND', message: `No route ${req.url}`, details: [] });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('requestJson', () => {
  it('returns the parsed body of a 2xx answer', async () => {
    const health = await requestJson(`${base}/api/health-ok`, healthResponseSchema);
    expect(health.status).toBe('ok');
    expect(health.dependencies.redis.error).toBe('connect ECONNREFUSED');
  });

  it('accepts a 503 whose body is the contract answer when told to (degraded health)', async () => {
    await expect(requestJson(`${base}/api/health`, healthResponseSchema, { acceptStatuses: [503] })).resolves.toEqual(
      degraded,
    );
  });

  it('turns an error envelope into an ApiError with its code, message and details', async () => {
    const error = await caught(requestJson(`${base}/api/conflict`, healthResponseSchema));
    expect(error).toMatchObject({
      code: 'TICKET_ALREADY_OPEN',
      status: 409,
      message: "Customer 'acme' already has ticket T-1 open.",
      details: [{ path: 'customerId', message: 'already open' }],
    });
    expect(error.unreachable).toBe(false);
  });

  it('still maps a 503 envelope when the body is not the expected answer', async () => {
    const error = await caught(requestJson(`${base}/api/unavailable`, healthResponseSchema, { acceptStatuses: [503] }));
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, message: 'Shutting down.' });
  });

  it('names the fields of a 2xx body that breaks the contract', async () => {
    const error = await caught(requestJson(`${base}/api/wrong-shape`, healthResponseSchema));
    expect(error.code).toBe('UNEXPECTED_RESPONSE');
    expect(error.message).toContain('version');
    expect(error.message).toContain('dependencies');
  });

  it('sends JSON bodies with a content type', async () => {
    const schema = { safeParse: (value: unknown) => ({ success: true as const, data: value }) };
    const echoed = await requestJson(`${base}/api/echo`, schema, { method: 'POST', json: { a: 1 } });
    expect(echoed).toEqual({ method: 'POST', contentType: 'application/json', body: { a: 1 } });
  });

  it('treats a gateway error or an empty 5xx as an unreachable API', async () => {
    for (const path of ['/api/bad-gateway', '/api/empty-500']) {
      const error = await caught(requestJson(`${base}${path}`, healthResponseSchema));
      expect(error.unreachable).toBe(true);
    }
  });

  it('reports other answers without an envelope as unexpected', async () => {
    const error = await caught(requestJson(`${base}/api/teapot`, healthResponseSchema));
    expect(error).toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 418 });
  });

  it('reports a closed port as an unreachable API with no status', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');

    const error = await caught(requestJson(`http://127.0.0.1:${port}/api/health`, healthResponseSchema));
    expect(error).toMatchObject({ code: 'API_UNREACHABLE', status: null });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('lets an abort through untouched', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      requestJson(`${base}/api/health-ok`, healthResponseSchema, { signal: controller.signal }),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
