import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import {
  createTicketResponseSchema,
  enrollResponseSchema,
  type CreateTicketRequest,
  type CreateTicketResponse,
  type UserRole,
} from '@omt/contracts';
import { CredentialsService } from '../../src/auth/credentials.service';

/** How a request authenticates: a bearer token (API key, agent token), a session cookie, or nothing. */
export type Credential = { bearer: string } | { cookie: string } | null;

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestHelpers {
  /** A plain HTTP call with JSON in and out. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers of many shapes; each asserts what it reads
  call<T = any>(method: string, path: string, options?: { as?: Credential; body?: unknown; rawBody?: string }): Promise<ApiAnswer<T>>;
  /** A new sales API key (through the same service as the admin CLI). */
  createSalesKey(name?: string): Promise<Credential & { bearer: string }>;
  /** A new ops or admin user with a random password. */
  createUser(role: UserRole, email?: string): Promise<{ email: string; password: string }>;
  /** A new user of that role, logged in through `POST /api/auth/login`: its session cookie. */
  loginAs(role: UserRole): Promise<Credential & { cookie: string }>;
  /** A ticket opened by `POST /api/tickets` with a fresh customer id unless overridden. */
  createTicket(sales: Credential, overrides?: Partial<CreateTicketRequest>): Promise<CreateTicketResponse>;
  /** Exchanges an enrollment code for the agent token through `POST /api/agent/enroll`. */
  enroll(code: string): Promise<Credential & { bearer: string }>;
}

let customerSequence = 0;
/** A customer id unique within this process (and very likely across parallel runs). */
export function uniqueCustomerId(): string {
  customerSequence += 1;
  return `Cust${process.pid}${String(customerSequence).padStart(4, '0')}`;
}

export function ticketRequest(overrides: Partial<CreateTicketRequest> = {}): CreateTicketRequest {
  return {
    customerId: uniqueCustomerId(),
    companyName: 'Acme Industries',
    serialNumber: '4021-7788',
    environment: 'online',
    kind: 'test',
    salesRep: { name: 'Sam Seller', email: 'sam@example.com' },
    ...overrides,
  };
}

export function testHelpers(url: string, context: INestApplicationContext): TestHelpers {
  const credentials = () => context.get(CredentialsService, { strict: false });

  const call: TestHelpers['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    const as = options.as;
    if (as && 'bearer' in as) headers.authorization = `Bearer ${as.bearer}`;
    if (as && 'cookie' in as) headers.cookie = as.cookie;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };

  const createUser: TestHelpers['createUser'] = async (role, email) => {
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const address = email ?? `${role}-${randomBytes(4).toString('hex')}@example.com`;
    await credentials().createUser({ email: address, role, password });
    return { email: address, password };
  };

  return {
    call,
    createUser,
    async createSalesKey(name = `sales-${randomBytes(3).toString('hex')}`) {
      return { bearer: (await credentials().createApiKey({ name, role: 'sales' })).key };
    },
    async loginAs(role) {
      const user = await createUser(role);
      const answer = await call('POST', '/api/auth/login', { body: user });
      if (answer.status !== 200) throw new Error(`login failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('omt_session='));
      if (!cookie) throw new Error('login set no session cookie');
      return { cookie: cookie.split(';')[0]! };
    },
    async createTicket(sales, overrides) {
      const answer = await call('POST', '/api/tickets', { as: sales, body: ticketRequest(overrides) });
      if (answer.status !== 201) throw new Error(`create ticket failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      return createTicketResponseSchema.parse(answer.body);
    },
    async enroll(code) {
      const answer = await call('POST', '/api/agent/enroll', { body: { code } });
      if (answer.status !== 200) throw new Error(`enroll failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      return { bearer: enrollResponseSchema.parse(answer.body).agentToken };
    },
  };
}
