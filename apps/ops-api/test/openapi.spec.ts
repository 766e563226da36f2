import { startTestApi, type TestApi } from './support/test-api';

type Operation = {
  requestBody?: { content: Record<string, { schema?: unknown }> };
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
};
type Document = { paths: Record<string, Record<string, Operation>> };

/** Every endpoint of issue 3, with what its page must show. */
const ENDPOINTS: { method: string; path: string; body?: boolean; params?: string[]; ok: string; secured: boolean }[] = [
  { method: 'post', path: '/api/tickets', body: true, ok: '201', secured: true },
  { method: 'get', path: '/api/tickets', params: ['state', 'kind', 'customerId', 'limit', 'offset'], ok: '200', secured: true },
  { method: 'get', path: '/api/tickets/{id}', params: ['id'], ok: '200', secured: true },
  { method: 'get', path: '/api/tickets/{id}/events', params: ['id'], ok: '200', secured: true },
  { method: 'post', path: '/api/tickets/{id}/cancel', body: true, params: ['id'], ok: '200', secured: true },
  { method: 'post', path: '/api/tickets/{id}/reset', body: true, params: ['id'], ok: '200', secured: true },
  { method: 'post', path: '/api/tickets/{id}/enrollment-code', body: true, params: ['id'], ok: '200', secured: true },
  { method: 'get', path: '/api/tickets/{id}/detail', params: ['id'], ok: '200', secured: true },
  { method: 'post', path: '/api/tickets/{id}/failures/{jobId}/retry', body: true, params: ['id', 'jobId'], ok: '200', secured: true },
  { method: 'post', path: '/api/agent/enroll', body: true, ok: '200', secured: false },
  { method: 'get', path: '/api/agent/session', ok: '200', secured: true },
  { method: 'put', path: '/api/agent/checks', body: true, ok: '200', secured: true },
  { method: 'put', path: '/api/agent/plan', body: true, ok: '200', secured: true },
  { method: 'post', path: '/api/agent/upload', body: true, ok: '200', secured: true },
  { method: 'put', path: '/api/agent/tables/{table}', body: true, params: ['table'], ok: '204', secured: true },
  // The batch body is gzip, not JSON: checked below.
  { method: 'put', path: '/api/agent/tables/{table}/batches/{sequence}', params: ['table', 'sequence', 'x-omt-gzip-sha256', 'x-omt-sha256', 'x-omt-rows', 'x-omt-bytes'], ok: '200', secured: true },
  { method: 'post', path: '/api/agent/tables/{table}/complete', body: true, params: ['table'], ok: '200', secured: true },
  { method: 'put', path: '/api/agent/documents/missing', body: true, ok: '204', secured: true },
  { method: 'post', path: '/api/agent/upload/complete', ok: '200', secured: true },
  { method: 'post', path: '/api/auth/login', body: true, ok: '200', secured: false },
  { method: 'post', path: '/api/auth/logout', ok: '204', secured: true },
  { method: 'get', path: '/api/auth/me', ok: '200', secured: true },
];

describe('the OpenAPI page', () => {
  let api: TestApi;
  let document: Document;
  beforeAll(async () => {
    api = await startTestApi('openapi');
    document = (await (await fetch(`${api.url}/api/docs/openapi.json`)).json()) as Document;
  });
  afterAll(async () => api.close());

  it.each(ENDPOINTS)('documents $method $path with its schemas', ({ method, path, body, params, ok, secured }) => {
    const operation = document.paths[path]?.[method];
    expect(operation).toBeDefined();
    if (body) expect(operation!.requestBody?.content['application/json']?.schema).toBeDefined();
    expect((operation!.parameters ?? []).map((p) => p.name)).toEqual(expect.arrayContaining(params ?? []));
    expect(operation!.responses[ok]).toBeDefined();
    if (ok !== '204') expect(operation!.responses[ok]!.content?.['application/json']?.schema).toBeDefined();
    const errors = Object.keys(operation!.responses).filter((status) => status.startsWith('4'));
    expect(errors.length).toBeGreaterThan(0);
    for (const status of errors) expect(operation!.responses[status]!.content?.['application/json']?.schema).toBeDefined();
    if (secured) {
      expect(operation!.responses['401']).toBeDefined();
      expect(operation!.responses['403']).toBeDefined();
      expect(operation!.security).toEqual(expect.arrayContaining([{ bearer: [] }, { omt_session: [] }]));
    }
  });

  it('documents a batch upload as a gzip body', () => {
    const operation = document.paths['/api/agent/tables/{table}/batches/{sequence}']!.put!;
    expect(operation.requestBody?.content['application/gzip']?.schema).toBeDefined();
  });

  it('documents no endpoint of these features that the list above misses', () => {
    const mine = Object.entries(document.paths)
      .filter(([path]) => /^\/api\/(tickets(\/|$)|agent\/(enroll|session|checks|plan|upload|tables|documents\/missing)|auth)/.test(path))
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`));
    expect(mine.sort()).toEqual(ENDPOINTS.map((e) => `${e.method} ${e.path}`).sort());
  });
});
