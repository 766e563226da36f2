import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ERROR_CODES, OmtError, migratorContactSchema, parseOrThrow } from '@omt/contracts';
import type { MigrationSession } from './migration-session';
import { pageAsset, type PageAsset } from './page-assets';
import { envelopeOf, type WizardUpload } from './wizard-upload';

export const WIZARD_HOST = '127.0.0.1';
const COOKIE = 'omt_wizard';
const MAX_BODY_BYTES = 64 * 1024;

export interface WizardServer {
  /** Open this once: it carries the one-time token. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const logonBody = z.object({ login: z.string().min(1), password: z.string() }).strict();
const userChangeBody = z
  .object({ plan: z.string().min(1).nullable().optional(), loginEmail: z.string().max(320).nullable().optional() })
  .strict();
const settingsBody = z.object({ sendWelcomeEmails: z.boolean() }).strict();
const draftBody = z.object({ continue: z.boolean() }).strict();
const uploadBody = z.object({ confirmFreeze: z.boolean().optional() }).strict();

/**
 * The wizard's local web server. Bound to 127.0.0.1 only. The URL carries a
 * random one-time token (256 bits); the first request with it gets an
 * httpOnly, SameSite=Strict cookie holding a second secret and is redirected
 * to strip the token from the address bar and history. Every other request
 * needs that cookie, a Host of this server (no DNS rebinding) and, for
 * writes, JSON from this origin; anything else is refused with 403.
 */
export async function startWizardServer(
  session: MigrationSession,
  options: { port?: number; /** With an API to upload to: the upload and result steps. */ upload?: WizardUpload } = {},
): Promise<WizardServer> {
  const token = randomBytes(32).toString('base64url');
  const cookieSecret = randomBytes(32).toString('base64url');
  let tokenUsed = false;
  let port = 0;

  const api = apiRoutes(session, options.upload);
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => sendError(res, error));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${WIZARD_HOST}:${port}`);
    const origin = `http://${WIZARD_HOST}:${port}`;
    if (req.headers.host !== `${WIZARD_HOST}:${port}` && req.headers.host !== `localhost:${port}`)
      return forbidden(res);

    const offered = url.searchParams.get('token');
    if (offered !== null) {
      if (tokenUsed || !sameSecret(offered, token) || req.method !== 'GET')
        return forbidden(res, 'This link was already used or is wrong. Restart the wizard for a new one.');
      tokenUsed = true;
      res.writeHead(303, {
        Location: '/',
        'Set-Cookie': `${COOKIE}=${cookieSecret}; HttpOnly; SameSite=Strict; Path=/`,
        'Cache-Control': 'no-store',
      });
      res.end();
      return;
    }
    if (!sameSecret(readCookie(req, COOKIE) ?? '', cookieSecret)) return forbidden(res);

    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'GET') {
        if (req.headers.origin !== undefined && req.headers.origin !== origin) return forbidden(res);
        if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
          throw new OmtError('VALIDATION_FAILED', 'Send JSON (Content-Type: application/json).');
        }
      }
      const body = req.method === 'GET' ? undefined : await readJson(req);
      const route = api.find((r) => r.method === req.method && r.path.test(url.pathname));
      if (!route) throw new OmtError('NOT_FOUND', `No ${req.method} ${url.pathname}.`);
      const match = url.pathname.match(route.path)!;
      return sendJson(res, 200, await route.run(body, match));
    }
    if (req.method !== 'GET') throw new OmtError('NOT_FOUND', `No ${req.method} ${url.pathname}.`);
    const asset = await pageAsset(url.pathname);
    if (!asset) throw new OmtError('NOT_FOUND', `No page ${url.pathname}.`);
    return sendAsset(res, asset);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, WIZARD_HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${WIZARD_HOST}:${port}/?token=${token}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Route {
  method: string;
  path: RegExp;
  run(body: unknown, match: RegExpMatchArray): unknown;
}

/** One route per wizard step; each calls one session (or upload) method and answers the whole view. */
function apiRoutes(session: MigrationSession, upload: WizardUpload | undefined): Route[] {
  const requireUpload = (): WizardUpload => {
    if (!upload)
      throw new OmtError(
        'NOT_FOUND',
        'This wizard writes the plan to a file; upload it with omt-agent migrate --plan.',
      );
    return upload;
  };
  return [
    { method: 'GET', path: /^\/api\/session$/, run: () => session.view() },
    {
      method: 'POST',
      path: /^\/api\/draft$/,
      run: (body) => session.answerDraft(parseOrThrow(draftBody, body, 'draft answer').continue),
    },
    {
      method: 'POST',
      path: /^\/api\/logon$/,
      run: (body) => {
        const { login, password } = parseOrThrow(logonBody, body, 'logon');
        return session.logOn(login, password);
      },
    },
    {
      method: 'PUT',
      path: /^\/api\/contact$/,
      run: (body) => session.setContact(parseOrThrow(migratorContactSchema.strict(), body, 'contact')),
    },
    { method: 'POST', path: /^\/api\/checks$/, run: () => session.runChecks() },
    {
      method: 'PATCH',
      path: /^\/api\/plan\/users\/(\d+)$/,
      run: (body, match) => session.updateUser(Number(match[1]), parseOrThrow(userChangeBody, body, 'user change')),
    },
    {
      method: 'PUT',
      path: /^\/api\/plan\/settings$/,
      run: (body) => session.setSendWelcomeEmails(parseOrThrow(settingsBody, body, 'settings').sendWelcomeEmails),
    },
    { method: 'POST', path: /^\/api\/submit$/, run: () => session.submit() },
    // Polled by the page while the upload runs; without an API the plan went to a file.
    { method: 'GET', path: /^\/api\/upload$/, run: () => upload?.view() ?? { mode: 'file' } },
    {
      method: 'POST',
      path: /^\/api\/upload$/,
      run: (body) => requireUpload().start(parseOrThrow(uploadBody, body, 'upload').confirmFreeze ?? false),
    },
    {
      method: 'POST',
      path: /^\/api\/close$/,
      run: () => {
        const running = requireUpload();
        // Answered first: the server closes once the upload has stopped.
        setImmediate(() => void running.close());
        return { closing: true };
      },
    },
  ];
}

function sameSecret(offered: string, secret: string): boolean {
  const a = Buffer.from(offered);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new OmtError('PAYLOAD_TOO_LARGE', 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new OmtError('VALIDATION_FAILED', 'The request body is not JSON.');
  }
}

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
};

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

function sendAsset(res: ServerResponse, asset: PageAsset): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': asset.contentType });
  res.end(asset.body);
}

function forbidden(res: ServerResponse, message = 'Forbidden: open the wizard with the link the agent printed.'): void {
  res.writeHead(403, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(message);
}

function sendError(res: ServerResponse, error: unknown): void {
  const envelope = envelopeOf(error);
  if (res.headersSent) return void res.end();
  sendJson(res, ERROR_CODES[envelope.code], { error: envelope });
}
