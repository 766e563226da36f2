import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArchiveDocument } from '@omt/contracts';
import { queryDatabase } from '../support/databases';
import { eventually } from '../support/eventually';
import { PipelineStack, ROOT, runNode } from '../pipeline/support/pipeline-stack';
import { startTcpProxy } from '../support/tcp-proxy';

/**
 * The document half with real processes: the API and worker (dist/dev.js)
 * and the agent's uploader in a process of its own (run-upload-documents.cjs
 * over apps/agent/dist), killed and started again. Build first.
 */
const SCRIPT = path.join(ROOT, 'test/documents/run-upload-documents.cjs');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let stack: PipelineStack;

beforeAll(async () => {
  stack = await PipelineStack.create('documents');
  await stack.start('dev');
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

interface Agent {
  ticketId: string;
  token: string;
  tenantDatabase: string;
}

/** A ticket in `uploading` with its agent token; the upload start is the upload API's own (tested there), so the state is seeded. */
async function uploadingTicket(): Promise<Agent> {
  const ticket = await stack.createTicket(await stack.createSalesKey());
  const enrolled = await fetch(`${stack.url}/api/agent/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: ticket.code }),
  });
  const { agentToken } = (await enrolled.json()) as { agentToken: string };
  await queryDatabase(stack.database.url, `UPDATE "Ticket" SET state = 'uploading' WHERE id = $1`, [ticket.ticketId]);
  return { ticketId: ticket.ticketId, token: agentToken, tenantDatabase: ticket.tenantDatabase };
}

/** Writes the files and returns them as the archive scan would list them. */
async function archive(root: string, files: Record<string, Buffer>): Promise<ArchiveDocument[]> {
  let id = 100;
  const documents: ArchiveDocument[] = [];
  for (const [relativePath, data] of Object.entries(files)) {
    const file = path.join(root, ...relativePath.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
    documents.push({
      documentId: id++,
      name: path.basename(relativePath),
      relativePath,
      status: 'ok',
      bytes: data.length,
    });
  }
  return documents;
}

function options(agent: Agent, apiUrl: string, archiveRoot: string, documents: ArchiveDocument[]) {
  return JSON.stringify({
    apiUrl,
    agentToken: agent.token,
    archiveRoot,
    documents,
    stateDir: path.join(archiveRoot, '..', 'agent-state'),
    concurrency: 4,
  });
}

interface UploadResult {
  uploaded: number;
  skipped: number;
  bytesSent: number;
  failed: { documentId: number; reason: string }[];
}

async function runUploader(args: string): Promise<UploadResult> {
  const run = await runNode([SCRIPT, args], { PATH: process.env.PATH });
  if (run.code !== 0) throw new Error(`uploader exited ${run.code}: ${run.stderr}`);
  const last = run.stdout.trim().split('\n').pop()!;
  return (JSON.parse(last) as { result: UploadResult }).result;
}

/** Waits until the worker has placed the ticket's documents, each with the given sha256. */
async function placed(agent: Agent, expected: Record<number, string>): Promise<void> {
  await eventually(
    async () => {
      const rows = await queryDatabase(
        stack.database.url,
        `SELECT "documentId", sha256 FROM "DocumentUpload" WHERE "ticketId" = $1 AND "storedAt" IS NOT NULL`,
        [agent.ticketId],
      );
      return Object.fromEntries(rows.map((r) => [r.documentId as number, r.sha256 as string]));
    },
    {
      what: `the documents of ${agent.ticketId} placed (see ${stack.logPath})`,
      until: (stored) => Object.entries(expected).every(([id, sha]) => stored[Number(id)] === sha),
      timeoutMs: 120_000,
      intervalMs: 200,
    },
  );
}

async function tenantFile(agent: Agent, relativePath: string): Promise<Buffer> {
  return readFile(path.join(stack.dir, 'archives', agent.tenantDatabase, ...relativePath.split('/')));
}

it('resumes at the offset after the agent is SIGKILLed during a large document: under 110 % of the archive sent', async () => {
  const agent = await uploadingTicket();
  const root = path.join(stack.dir, 'kill', 'archive');
  const files = {
    'ADMIN/2024.2/recording.bin': randomBytes(40 * 1024 * 1024),
    'UA/2024.1/offer.docx': randomBytes(200_000),
    'UA/2024.1/notes.txt': Buffer.from('meeting notes\n'.repeat(1000)),
    'UA/2024.2/scan.pdf': randomBytes(500_000),
  };
  const archiveBytes = Object.values(files).reduce((n, f) => n + f.length, 0);
  const documents = await archive(root, files);
  // A slow line, so the kill lands inside the large document.
  const proxy = await startTcpProxy(stack.url, { bytesPerSecond: 16 * 1024 * 1024 });
  try {
    const args = options(agent, proxy.url, root, documents);
    const child = spawn(process.execPath, [SCRIPT, args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let killedAt = 0;
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const done = (JSON.parse(line) as { progress?: { bytes: { done: number } } }).progress?.bytes.done ?? 0;
        if (!killedAt && done > 15 * 1024 * 1024) {
          killedAt = done;
          child.kill('SIGKILL');
        }
      }
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, s) => resolve(s)));
    expect(signal).toBe('SIGKILL');
    const beforeRestart = proxy.upstreamBytes;
    expect(beforeRestart).toBeLessThan(archiveBytes);

    const result = await runUploader(args);
    expect(result.failed).toEqual([]);
    expect(result.uploaded + result.skipped).toBe(4);
    // The restarted agent sent only what had not landed: the large document from its offset on.
    expect(result.bytesSent).toBeLessThan(archiveBytes - killedAt / 2);
    expect(proxy.upstreamBytes).toBeLessThan(archiveBytes * 1.1);

    await placed(agent, Object.fromEntries(documents.map((d, i) => [d.documentId, sha256(Object.values(files)[i]!)])));
    for (const [relativePath, data] of Object.entries(files))
      expect(sha256(await tenantFile(agent, relativePath))).toBe(sha256(data));
    console.log(
      `SIGKILL at ${(killedAt / 1048576).toFixed(1)} MiB, restart: ${proxy.upstreamBytes} bytes through the proxy for an archive of ${archiveBytes} ` +
        `(${((proxy.upstreamBytes / archiveBytes) * 100).toFixed(1)} %), ${result.bytesSent} sent after the restart`,
    );
  } finally {
    await proxy.close();
  }
}, 180_000);

it('sends a file that was missing once it is back, and a changed file again, and nothing else', async () => {
  const agent = await uploadingTicket();
  const root = path.join(stack.dir, 'recovery', 'archive');
  const files = {
    'UA/2024.1/a.txt': Buffer.from('first document'),
    'UA/2024.1/b.doc': randomBytes(50_000),
    'UA/2024.2/c.pdf': randomBytes(80_000),
  };
  const documents = await archive(root, files);
  const [a, b, c] = documents as [ArchiveDocument, ArchiveDocument, ArchiveDocument];
  const args = options(agent, stack.url, root, documents);

  await rm(path.join(root, 'UA', '2024.2', 'c.pdf'));
  const first = await runUploader(args);
  expect(first).toMatchObject({
    uploaded: 2,
    skipped: 0,
    failed: [expect.objectContaining({ documentId: c.documentId, reason: 'missing-file' })],
  });

  await writeFile(path.join(root, 'UA', '2024.2', 'c.pdf'), files['UA/2024.2/c.pdf']);
  await placed(agent, {
    [a.documentId]: sha256(files['UA/2024.1/a.txt']),
    [b.documentId]: sha256(files['UA/2024.1/b.doc']),
  });
  const second = await runUploader(args);
  expect(second).toMatchObject({ uploaded: 1, skipped: 2, failed: [], bytesSent: files['UA/2024.2/c.pdf'].length });

  const changed = randomBytes(60_000);
  await writeFile(path.join(root, 'UA', '2024.1', 'b.doc'), changed);
  await placed(agent, { [c.documentId]: sha256(files['UA/2024.2/c.pdf']) });
  const third = await runUploader(args);
  expect(third).toMatchObject({ uploaded: 1, skipped: 2, failed: [], bytesSent: changed.length });

  await placed(agent, { [b.documentId]: sha256(changed) });
  expect(sha256(await tenantFile(agent, 'UA/2024.1/b.doc'))).toBe(sha256(changed));
  expect(sha256(await tenantFile(agent, 'UA/2024.2/c.pdf'))).toBe(sha256(files['UA/2024.2/c.pdf']));
}, 180_000);
