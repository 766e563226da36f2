import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentApiClient } from '../src/api/agent-api-client';
import { EnrollmentStore, obtainAgentToken } from '../src/api/enrollment-store';

const ticket = {
  id: '5b0f7c1e-8a1f-4b59-9c61-0a4f7c3f1b2a',
  customerId: 'Cust42',
  companyName: 'Acme',
  serialNumber: '1',
  environment: 'online',
  kind: 'test',
  state: 'enrolled',
  salesRep: { name: 'S', email: 's@example.com' },
  tenant: { customerId: 'Cust42', environment: 'online', state: 'migration_pending', databaseName: 'tenant_cust42' },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

/** An enrollment endpoint that accepts each code once, like the real one. */
async function enrollmentApi() {
  const used = new Set<string>();
  let calls = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls++;
      const { code } = JSON.parse(body) as { code: string };
      res.setHeader('content-type', 'application/json');
      if (used.has(code)) {
        res.statusCode = 401;
        return res.end(JSON.stringify({ code: 'ENROLLMENT_CODE_INVALID', message: 'used', details: [] }));
      }
      used.add(code);
      res.end(JSON.stringify({ agentToken: `omt_at_${calls}`, ticket }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, calls: () => calls, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omt-state-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it('keeps the token of a one-time code in a 0600 file and reuses it on the next start', async () => {
  const api = await enrollmentApi();
  try {
    const client = new AgentApiClient({ baseUrl: api.url });
    const store = new EnrollmentStore(join(dir, 'state'));
    const first = await obtainAgentToken(client, 'abcd-efgh-jkmn', store);
    expect(first).toEqual({ agentToken: 'omt_at_1', ticketId: ticket.id, reused: false });
    // Same code typed differently: same state, no second enrollment.
    const again = await obtainAgentToken(client, 'ABCDEFGHJKMN', store);
    expect(again).toEqual({ agentToken: 'omt_at_1', ticketId: ticket.id, reused: true });
    expect(api.calls()).toBe(1);

    const [file] = await readdir(store.dir);
    expect((await stat(join(store.dir, file!))).mode & 0o777).toBe(0o600);
    expect((await stat(store.dir)).mode & 0o777).toBe(0o700);
    const text = await readFile(join(store.dir, file!), 'utf8');
    expect(text).not.toMatch(/ABCD/i); // the code itself is never stored
  } finally {
    await api.close();
  }
});

it('says what to do when the code was used and this machine holds no token for it', async () => {
  const api = await enrollmentApi();
  try {
    const client = new AgentApiClient({ baseUrl: api.url });
    await obtainAgentToken(client, 'WXYZ-WXYZ-WXYZ', new EnrollmentStore(join(dir, 'elsewhere')));
    await expect(
      obtainAgentToken(client, 'WXYZ-WXYZ-WXYZ', new EnrollmentStore(join(dir, 'state'))),
    ).rejects.toMatchObject({
      code: 'ENROLLMENT_CODE_INVALID',
      message: expect.stringContaining('Ask operations for a new enrollment code'),
    });
  } finally {
    await api.close();
  }
});
