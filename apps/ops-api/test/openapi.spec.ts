import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPI } from 'openapi-types';
import { startTestApi, type TestApi } from './support/test-api';

type Schema = {
  description?: string;
  example?: unknown;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};
type Content = Record<string, { schema?: Schema }>;
type Operation = {
  requestBody?: { content: Content };
  parameters?: { name: string; in: string; description?: string; schema?: Schema }[];
  responses: Record<string, { content?: Content }>;
  security?: Record<string, string[]>[];
};
type Scheme = 'sales_api_key' | 'omt_session' | 'agent_token';
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes?: Record<string, Record<string, string>> };
};

/** What anybody may call without a credential: the health probe, the ops login and the agent's enrollment. */
const PUBLIC = ['get /api/health', 'post /api/auth/login', 'post /api/agent/enroll'];

/** Every operation of the document as `[method path, operation]`. */
const operationsOf = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => [`${method} ${path}`, operation] as const),
  );

/** Every JSON schema an operation takes or answers (not the gzip batch), named for the failure message. */
const jsonSchemasOf = (name: string, operation: Operation) => [
  ...(operation.requestBody?.content['application/json']
    ? [[`${name} body`, operation.requestBody.content['application/json'].schema] as const]
    : []),
  ...Object.entries(operation.responses).flatMap(([status, r]) =>
    r.content?.['application/json'] ? [[`${name} ${status}`, r.content['application/json'].schema] as const] : [],
  ),
];

/** The properties of a schema, at any depth, that lack a description (`a.b[]`-style paths). */
function undescribed(schema: Schema, path = ''): string[] {
  const own = Object.entries(schema.properties ?? {}).flatMap(([key, property]) => {
    const at = path ? `${path}.${key}` : key;
    const variants = property.anyOf ?? property.oneOf ?? [property];
    const described = property.description !== undefined || variants.some((v) => v.description !== undefined);
    return [...(described ? [] : [at]), ...variants.flatMap((v) => undescribed(v, at))];
  });
  return schema.items ? [...own, ...undescribed(schema.items, `${path}[]`)] : own;
}

/** Every endpoint of issue 3, with what its page must show. */
const ENDPOINTS: {
  method: string;
  path: string;
  body?: boolean;
  params?: string[];
  ok: string;
  credentials: Scheme[];
}[] = [
  { method: 'post', path: '/api/tickets', body: true, ok: '201', credentials: ['sales_api_key'] },
  {
    method: 'get',
    path: '/api/tickets',
    params: ['state', 'kind', 'customerId', 'limit', 'offset'],
    ok: '200',
    credentials: ['omt_session'],
  },
  { method: 'get', path: '/api/tickets/{id}', params: ['id'], ok: '200', credentials: ['omt_session', 'agent_token'] },
  {
    method: 'get',
    path: '/api/tickets/{id}/events',
    params: ['id'],
    ok: '200',
    credentials: ['omt_session', 'agent_token'],
  },
  {
    method: 'post',
    path: '/api/tickets/{id}/cancel',
    body: true,
    params: ['id'],
    ok: '200',
    credentials: ['omt_session'],
  },
  {
    method: 'post',
    path: '/api/tickets/{id}/reset',
    body: true,
    params: ['id'],
    ok: '200',
    credentials: ['omt_session'],
  },
  {
    method: 'post',
    path: '/api/tickets/{id}/enrollment-code',
    body: true,
    params: ['id'],
    ok: '200',
    credentials: ['omt_session'],
  },
  { method: 'get', path: '/api/tickets/{id}/detail', params: ['id'], ok: '200', credentials: ['omt_session'] },
  {
    method: 'post',
    path: '/api/tickets/{id}/failures/{jobId}/retry',
    body: true,
    params: ['id', 'jobId'],
    ok: '200',
    credentials: ['omt_session'],
  },
  { method: 'post', path: '/api/agent/enroll', body: true, ok: '200', credentials: [] },
  { method: 'get', path: '/api/agent/session', ok: '200', credentials: ['agent_token'] },
  { method: 'put', path: '/api/agent/checks', body: true, ok: '200', credentials: ['agent_token'] },
  { method: 'put', path: '/api/agent/plan', body: true, ok: '200', credentials: ['agent_token'] },
  { method: 'post', path: '/api/agent/upload', body: true, ok: '200', credentials: ['agent_token'] },
  {
    method: 'put',
    path: '/api/agent/tables/{table}',
    body: true,
    params: ['table'],
    ok: '204',
    credentials: ['agent_token'],
  },
  // The batch body is gzip, not JSON: checked below.
  {
    method: 'put',
    path: '/api/agent/tables/{table}/batches/{sequence}',
    params: ['table', 'sequence', 'x-omt-gzip-sha256', 'x-omt-sha256', 'x-omt-rows', 'x-omt-bytes', 'x-omt-first-row'],
    ok: '200',
    credentials: ['agent_token'],
  },
  // A part is a slice of the batch's gzip, not JSON.
  {
    method: 'put',
    path: '/api/agent/tables/{table}/batches/{sequence}/parts/{part}',
    params: ['table', 'sequence', 'part', 'x-omt-gzip-sha256'],
    ok: '200',
    credentials: ['agent_token'],
  },
  {
    method: 'post',
    path: '/api/agent/tables/{table}/batches/{sequence}/commit',
    body: true,
    params: ['table', 'sequence'],
    ok: '200',
    credentials: ['agent_token'],
  },
  {
    method: 'post',
    path: '/api/agent/tables/{table}/complete',
    body: true,
    params: ['table'],
    ok: '200',
    credentials: ['agent_token'],
  },
  { method: 'put', path: '/api/agent/documents/missing', body: true, ok: '204', credentials: ['agent_token'] },
  { method: 'post', path: '/api/agent/upload/complete', ok: '200', credentials: ['agent_token'] },
  { method: 'post', path: '/api/auth/login', body: true, ok: '200', credentials: [] },
  { method: 'post', path: '/api/auth/logout', ok: '204', credentials: ['omt_session'] },
  { method: 'get', path: '/api/auth/me', ok: '200', credentials: ['sales_api_key', 'omt_session', 'agent_token'] },
];

describe('the OpenAPI page', () => {
  let api: TestApi;
  let document: Document;
  beforeAll(async () => {
    api = await startTestApi('openapi');
    document = (await (await fetch(`${api.url}/api/docs/openapi.json`)).json()) as Document;
  });
  afterAll(async () => api.close());

  it.each(ENDPOINTS)(
    'documents $method $path with its schemas and credentials',
    ({ method, path, body, params, ok, credentials }) => {
      const operation = document.paths[path]?.[method];
      expect(operation).toBeDefined();
      if (body) expect(operation!.requestBody?.content['application/json']?.schema).toBeDefined();
      expect((operation!.parameters ?? []).map((p) => p.name)).toEqual(expect.arrayContaining(params ?? []));
      expect(operation!.responses[ok]).toBeDefined();
      if (ok !== '204') expect(operation!.responses[ok]!.content?.['application/json']?.schema).toBeDefined();
      const errors = Object.keys(operation!.responses).filter((status) => status.startsWith('4'));
      expect(errors.length).toBeGreaterThan(0);
      for (const status of errors)
        expect(operation!.responses[status]!.content?.['application/json']?.schema).toBeDefined();
      // Each accepted credential is its own requirement: OpenAPI accepts any one of them.
      expect(operation!.security ?? []).toEqual(credentials.map((scheme) => ({ [scheme]: [] })));
      if (credentials.length > 0) {
        expect(operation!.responses['401']).toBeDefined();
        expect(operation!.responses['403']).toBeDefined();
      }
    },
  );

  it('offers the three credentials under "Authorize": the sales API key, the ops session cookie and the agent token', () => {
    expect(document.components.securitySchemes).toEqual({
      sales_api_key: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      omt_session: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'omt_session' }),
      agent_token: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    for (const scheme of Object.values(document.components.securitySchemes!)) expect(scheme.description).toBeTruthy();
  });

  it('says which credential every operation takes, except the few that are public', () => {
    const schemes = Object.keys(document.components.securitySchemes ?? {});
    const unsecured = operationsOf(document)
      .filter(([, operation]) => (operation.security ?? []).length === 0)
      .map(([name]) => name);
    expect(unsecured.sort()).toEqual([...PUBLIC].sort());
    for (const [, operation] of operationsOf(document)) {
      for (const requirement of operation.security ?? [])
        expect(schemes).toEqual(expect.arrayContaining(Object.keys(requirement)));
    }
  });

  it('describes every JSON body and answer, from the contracts', () => {
    const missing = operationsOf(document)
      .flatMap(([name, operation]) => jsonSchemasOf(name, operation))
      .filter(([, schema]) => !schema?.description)
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('describes every parameter, the ticket filters from their contract', () => {
    const missing = operationsOf(document).flatMap(([name, operation]) =>
      (operation.parameters ?? []).filter((p) => !p.description).map((p) => `${name} ${p.in} ${p.name}`),
    );
    expect(missing).toEqual([]);
    // The filter takes what the contract takes: `Cust` ids and the migration kinds.
    const filters = Object.fromEntries(document.paths['/api/tickets']!.get!.parameters!.map((p) => [p.name, p.schema]));
    expect(filters.customerId).toMatchObject({ type: 'string', pattern: '^Cust[0-9]{1,12}$' });
    expect(filters.kind).toMatchObject({ enum: ['test', 'live'] });
    expect(filters.customerId!.example).toBeUndefined();
  });

  it('describes every field of a new ticket and of the error envelope, with examples a sales rep can send as they are', async () => {
    const body = document.paths['/api/tickets']!.post!.requestBody!.content['application/json']!.schema!;
    expect(undescribed(body)).toEqual([]);
    const envelope = document.paths['/api/tickets']!.post!.responses['400']!.content!['application/json']!.schema!;
    expect(undescribed(envelope)).toEqual([]);
    // The examples make a valid ticket: the page's "Try it out" starts from them.
    const example = Object.fromEntries(
      Object.entries(body.properties!).map(([key, property]) => [
        key,
        property.properties
          ? Object.fromEntries(Object.entries(property.properties).map(([k, p]) => [k, p.example]))
          : property.example,
      ]),
    );
    const sales = await api.createSalesKey();
    const created = await api.call('POST', '/api/tickets', { as: sales, body: example });
    expect(created.status).toBe(201);
  });

  it('names a missing field as "required" in the 400 envelope, as the page says', async () => {
    const sales = await api.createSalesKey();
    const { customerId: _omitted, ...withoutCustomer } = {
      customerId: 'Cust4711',
      companyName: 'Acme',
      serialNumber: '1',
      environment: 'online',
      kind: 'test',
      salesRep: { name: 'Sam', email: 'sam@example.com' },
    };
    const answer = await api.call('POST', '/api/tickets', {
      as: sales,
      body: { ...withoutCustomer, salesRep: { email: 'sam@example.com' } },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'The ticket is invalid: customerId, salesRep.name.',
      details: [
        { path: 'customerId', message: 'required' },
        { path: 'salesRep.name', message: 'required' },
      ],
    });
  });

  it('is a valid OpenAPI 3 document', async () => {
    // The validator resolves references in place: give it a copy.
    await expect(
      SwaggerParser.validate(structuredClone(document) as unknown as OpenAPI.Document),
    ).resolves.toBeDefined();
  });

  it('documents a batch upload as a gzip body', () => {
    const operation = document.paths['/api/agent/tables/{table}/batches/{sequence}']!.put!;
    expect(operation.requestBody?.content['application/gzip']?.schema).toBeDefined();
  });

  it('documents no endpoint of these features that the list above misses', () => {
    const mine = Object.entries(document.paths)
      .filter(([path]) =>
        /^\/api\/(tickets(\/|$)|agent\/(enroll|session|checks|plan|upload|tables|documents\/missing)|auth)/.test(path),
      )
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`));
    expect(mine.sort()).toEqual(ENDPOINTS.map((e) => `${e.method} ${e.path}`).sort());
  });
});
