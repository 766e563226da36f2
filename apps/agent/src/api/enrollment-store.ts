import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { OmtError } from '@omt/contracts';
import { AgentApiClient, type AgentApiOptions } from './agent-api-client';

export const DEFAULT_STATE_DIR = '.omt-agent';

const enrollmentRecordSchema = z.object({
  apiUrl: z.string(),
  codeHash: z.string(),
  agentToken: z.string(),
  ticketId: z.string(),
  enrolledAt: z.string(),
});
export type EnrollmentRecord = z.infer<typeof enrollmentRecordSchema>;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Case, dashes and spaces as typed do not matter (the API hashes the code the same way). */
const normaliseCode = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');
const normaliseApiUrl = (url: string) => url.replace(/\/+$/, '');

/**
 * The agent token obtained for an enrollment code, kept on disk so a restart
 * (resume, recovery) can go on although the code works only once. One file
 * per API and code (the code only as its hash), mode 0600 in a 0700 folder:
 * the token opens the customer's ticket.
 */
export class EnrollmentStore {
  readonly dir: string;

  constructor(dir: string = DEFAULT_STATE_DIR) {
    this.dir = resolve(dir);
  }

  async read(apiUrl: string, code: string): Promise<EnrollmentRecord | null> {
    let text: string;
    try {
      text = await readFile(this.fileOf(apiUrl, code), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new OmtError('CONFIG_INVALID', `Cannot read the agent's state in ${this.dir}: ${(error as Error).message}`);
    }
    const parsed = enrollmentRecordSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new OmtError(
        'CONFIG_INVALID',
        `The agent's state file ${this.fileOf(apiUrl, code)} is damaged; delete it and ask operations for a new enrollment code.`,
      );
    }
    return parsed.data;
  }

  async write(
    apiUrl: string,
    code: string,
    token: { agentToken: string; ticketId: string },
  ): Promise<EnrollmentRecord> {
    const record: EnrollmentRecord = {
      apiUrl: normaliseApiUrl(apiUrl),
      codeHash: sha256(normaliseCode(code)),
      agentToken: token.agentToken,
      ticketId: token.ticketId,
      enrolledAt: new Date().toISOString(),
    };
    await writePrivateFile(this.fileOf(apiUrl, code), JSON.stringify(record, null, 2) + '\n');
    return record;
  }

  async forget(apiUrl: string, code: string): Promise<void> {
    await rm(this.fileOf(apiUrl, code), { force: true });
  }

  fileOf(apiUrl: string, code: string): string {
    const key = sha256(`${normaliseApiUrl(apiUrl)}\n${sha256(normaliseCode(code))}`).slice(0, 32);
    return join(this.dir, `enrollment-${key}.json`);
  }
}

/**
 * Replaces `file` at once with `text`, readable by this user only (0600, in
 * a 0700 folder). `temporary` must be unique among concurrent writers.
 */
export async function writePrivateFile(file: string, text: string, temporary = `${file}.${process.pid}.tmp`) {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(temporary, text, { mode: 0o600 });
  await chmod(temporary, 0o600); // the umask may have narrowed the mode, never widened it; make it exact
  await rename(temporary, file);
}

/** JSON.parse, with null for text that is not JSON (a damaged state file). */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export interface AgentIdentity {
  agentToken: string;
  ticketId: string;
  /** False on the first start with this code, true when the stored token was reused. */
  reused: boolean;
}

/**
 * The agent token for this code: the stored one when this agent enrolled
 * before, else a fresh enrollment (stored before it is used, so a crash right
 * after enrolling does not burn the code).
 */
export async function obtainAgentToken(
  client: AgentApiClient,
  code: string,
  store: EnrollmentStore,
): Promise<AgentIdentity> {
  const stored = await store.read(client.baseUrl, code);
  if (stored) return { agentToken: stored.agentToken, ticketId: stored.ticketId, reused: true };
  try {
    const enrolled = await client.enroll(code);
    await store.write(client.baseUrl, code, { agentToken: enrolled.agentToken, ticketId: enrolled.ticket.id });
    return { agentToken: enrolled.agentToken, ticketId: enrolled.ticket.id, reused: false };
  } catch (error) {
    if (error instanceof OmtError && error.code === 'ENROLLMENT_CODE_INVALID') {
      throw new OmtError(
        'ENROLLMENT_CODE_INVALID',
        `The enrollment code was refused (unknown, already used, expired or revoked) and this machine holds no token for it in ${store.dir}. ` +
          'Ask operations for a new enrollment code; if this agent enrolled before from another folder, run it there or pass that folder as --state-dir.',
      );
    }
    throw error;
  }
}

/** The API client speaking as this agent: the stored token for the code, or a fresh enrollment. */
export async function connectAgent(
  options: AgentApiOptions & { code: string; stateDir?: string },
): Promise<{ api: AgentApiClient; identity: AgentIdentity; store: EnrollmentStore }> {
  const store = new EnrollmentStore(options.stateDir);
  const anonymous = new AgentApiClient(options);
  const identity = await obtainAgentToken(anonymous, options.code, store);
  return { api: anonymous.withToken(identity.agentToken), identity, store };
}
