import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  BATCH_CONTENT_TYPE,
  BATCH_HEADERS,
  tablePathSegment,
  type BatchPartReceipt,
  type BatchReceipt,
  type CheckReport,
  type ErrorEnvelope,
  type PlanSubmission,
  type StartUpload,
  type TableSchema,
} from '@omt/contracts';
import type { ApiAnswer, Credential } from '../support/auth-helpers';
import type { TestApi } from '../support/test-api';

/** A ticket enrolled by its agent: the agent's token and the sales key that opened it. */
export async function enrolledTicket(api: TestApi, sales: Credential): Promise<{ ticketId: string; agent: Credential & { bearer: string } }> {
  const created = await api.createTicket(sales);
  return { ticketId: created.ticket.id, agent: await api.enroll(created.enrollmentCode) };
}

export const passedChecks: CheckReport = {
  results: [
    { id: 'version-supported', severity: 'block', title: 'Version', passed: true, message: 'SuperOffice 10.3', subjects: [], fix: '' },
    { id: 'users-on-travel', severity: 'warn', title: 'Travel', passed: false, message: "user 'jd' is on travel", subjects: ['jd'], fix: 'Bring jd home.' },
  ],
  blocked: false,
};

export const blockingChecks: CheckReport = {
  results: [
    { id: 'version-supported', severity: 'block', title: 'Version', passed: false, message: 'SuperOffice 7 is too old', subjects: [], fix: 'Upgrade.' },
  ],
  blocked: true,
};

/** One administrator with a plan, one user without: a plan that passes every rule. */
export function validPlan(): PlanSubmission {
  return {
    directory: {
      users: [
        { associateId: 1, login: 'ADMIN', name: 'Ada Admin', group: 'IT', position: null, emails: ['ada@example.com'], isAdministrator: true, currentPlan: 'ten-sales' },
        { associateId: 2, login: 'JD', name: 'John Doe', group: 'Sales', position: 'Rep', emails: [], isAdministrator: false, currentPlan: null },
      ],
      plans: [{ moduleName: 'ten-sales', description: 'Sales Premium', seats: 5 }],
    },
    plan: {
      formatVersion: 1,
      users: [
        { associateId: 1, login: 'ADMIN', plan: 'ten-sales', loginEmail: 'ada@example.com' },
        { associateId: 2, login: 'JD', plan: null, loginEmail: null },
      ],
      migrator: { name: 'Mia Migrator', email: 'mia@example.com', phone: '+47 22 33 44 55' },
      sendWelcomeEmails: false,
    },
  };
}

export function tableSchema(name: string): TableSchema {
  return {
    name,
    columns: [
      { name: 'id', type: { kind: 'int32' }, nullable: false },
      { name: 'text', type: { kind: 'text', maxLength: null }, nullable: true },
    ],
    primaryKey: ['id'],
  };
}

export function startRequest(tables: Record<string, number>, limits = { maxRows: 1000, maxBytes: 4 * 1024 * 1024 }): StartUpload {
  return { limits, tables: Object.entries(tables).map(([name, rows]) => ({ name, rows })), documents: { count: 2, bytes: 300 } };
}

/** COPY text of rows `from`..`to - 1`. */
export function copyText(from: number, to: number, tag = 'row'): Buffer {
  let text = '';
  for (let id = from; id < to; id++) text += `${id}\t${tag} ${id} æøå\n`;
  return Buffer.from(text, 'utf8');
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A receipt, or an error envelope. */
export type BatchAnswer = Partial<BatchReceipt> & Partial<ErrorEnvelope>;

/** Puts one batch as the agent does; headers default to the truth about `text`. */
export async function putBatch(
  api: TestApi,
  agent: Credential,
  table: string,
  sequence: number,
  text: Buffer,
  options: { sha?: string; gzipSha?: string; rows?: number; bytes?: number; body?: Buffer; contentType?: string } = {},
): Promise<ApiAnswer<BatchAnswer>> {
  const body = options.body ?? gzipSync(text);
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? BATCH_CONTENT_TYPE,
    [BATCH_HEADERS.gzipSha256]: options.gzipSha ?? sha256(body),
    [BATCH_HEADERS.sha256]: options.sha ?? sha256(text),
    [BATCH_HEADERS.rows]: String(options.rows ?? text.toString('utf8').split('\n').length - 1),
    [BATCH_HEADERS.bytes]: String(options.bytes ?? text.length),
  };
  if (agent && 'bearer' in agent) headers.authorization = `Bearer ${agent.bearer}`;
  if (agent && 'cookie' in agent) headers.cookie = agent.cookie;
  const response = await fetch(`${api.url}/api/agent/tables/${tablePathSegment(table)}/batches/${sequence}`, {
    method: 'PUT',
    headers,
    body,
  });
  const answer = await response.text();
  return { status: response.status, body: (answer ? JSON.parse(answer) : {}) as BatchAnswer, headers: response.headers };
}

export const tablePath = (table: string, rest = '') => `/api/agent/tables/${tablePathSegment(table)}${rest}`;

/** Upload start through schemas: the ticket is `uploading` with these tables announced and their schemas stored. */
export async function startedUpload(api: TestApi, agent: Credential, tables: Record<string, number>, limits?: StartUpload['limits']): Promise<void> {
  const steps: Array<[string, string, unknown]> = [
    ['PUT', '/api/agent/checks', passedChecks],
    ['PUT', '/api/agent/plan', validPlan()],
    ['POST', '/api/agent/upload', startRequest(tables, limits)],
    ...Object.keys(tables).map((name): [string, string, unknown] => ['PUT', tablePath(name), tableSchema(name)]),
  ];
  for (const [method, path, body] of steps) {
    const answer = await api.call(method, path, { as: agent, body });
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

/** One part of a batch sent in parts: a slice of its gzip, with the slice's sha256 (or another, to test the check). */
export async function putPart(
  api: TestApi,
  agent: Credential & { bearer: string },
  table: string,
  sequence: number,
  part: number,
  slice: Buffer,
  options: { gzipSha?: string } = {},
): Promise<ApiAnswer<Partial<BatchPartReceipt> & Partial<ErrorEnvelope>>> {
  const response = await fetch(`${api.url}/api/agent/tables/${tablePathSegment(table)}/batches/${sequence}/parts/${part}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${agent.bearer}`,
      'content-type': BATCH_CONTENT_TYPE,
      [BATCH_HEADERS.gzipSha256]: options.gzipSha ?? sha256(slice),
    },
    body: slice,
  });
  const answer = await response.text();
  return { status: response.status, body: answer ? JSON.parse(answer) : {}, headers: response.headers };
}

/** The gzip of a batch's COPY text cut into `count` slices of about equal size. */
export function gzipSlices(text: Buffer, count: number): Buffer[] {
  const gzip = gzipSync(text);
  const size = Math.ceil(gzip.length / count);
  return Array.from({ length: count }, (_, i) => gzip.subarray(i * size, (i + 1) * size));
}
