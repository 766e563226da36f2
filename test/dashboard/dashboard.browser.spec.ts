import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { QUEUES } from '@omt/contracts';
import { QueuesService } from '../../apps/ops-api/src/queues/queues.service';
import type { Credential } from '../../apps/ops-api/test/support/auth-helpers';
import { startTestApi, type TestApi } from '../../apps/ops-api/test/support/test-api';
import {
  copyText,
  enrolledTicket,
  putBatch,
  startedUpload,
  tablePath,
} from '../../apps/ops-api/test/uploads/upload-fixtures';
import { tenantIdentifier } from '@omt/copy-text';
import { chromiumAvailable, launchChromium, screenshot } from '../support/chromium';
import { queryDatabase } from '../support/databases';
import { AGENT_ENV, createSampleSource, migrateArgs } from '../pipeline/support/agent-run';
import { runNode } from '../pipeline/support/pipeline-stack';

// The API serves the built dashboard, as in production: `npx nx run @omt/ops-dashboard:build` (npm test builds first).
const DIST = join(__dirname, '..', '..', 'apps', 'ops-dashboard', 'dist');
// The real agent runs from its build too (`npx nx run-many -t build`).
const AGENT_DIST = join(__dirname, '..', '..', 'apps', 'agent', 'dist', 'main.js');
const hasChromium = chromiumAvailable('dashboard browser test');
// The project's testTimeout does not reach a multi-project run; each step waits for real imports and a real browser.
jest.setTimeout(120_000);

/** The few browser names the in-page recorder uses (the tests' TypeScript has no DOM library). */
interface BrowserGlobals {
  document: { body: unknown; querySelector(selector: string): { getAttribute(name: string): string | null } | null };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void };
}

(hasChromium ? describe : describe.skip)('the operations dashboard in Chromium, against the API and the worker', () => {
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let sales: Credential;
  let ops: { email: string; password: string };
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(join(DIST, 'index.html')))
      throw new Error(`No built dashboard in ${DIST}: run \`npx nx run @omt/ops-dashboard:build\` first.`);
    if (!existsSync(AGENT_DIST))
      throw new Error(`No built agent at ${AGENT_DIST}: run \`npx nx run-many -t build\` first.`);
    // The tenants' documents (of the sample's migration) and the agent's state live here, not in the repository.
    dir = await mkdtemp(join(tmpdir(), 'omt-dashboard-'));
    api = await startTestApi('dashboard', {
      worker: true,
      env: {
        OMT_DASHBOARD_DIST: DIST,
        OMT_QUEUE_MEASURE_SECONDS: '1',
        OMT_TENANT_ARCHIVE_DIR: join(dir, 'archives'),
      },
    });
    sales = await api.createSalesKey();
    ops = await api.createUser('ops');
    browser = await launchChromium();
    // 1280 px: a common laptop, and the width of the README's screenshots.
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const shot = (name: string, docs = false) => screenshot(page, name, { docs });
  /** Whether the page scrolls sideways, measured as the browser lays it out. */
  const pageScrollsSideways = () =>
    page.evaluate(() => {
      const { document, innerWidth } = globalThis as unknown as {
        document: { documentElement: { scrollWidth: number } };
        innerWidth: number;
      };
      return document.documentElement.scrollWidth > innerWidth;
    });
  const sql = (text: string, values: unknown[] = []) => queryDatabase(api.database.url, text, values);
  /** The progress bar's figure, as assistive technology reads it. */
  const rowsBar = (label: string, done: number) =>
    page.locator(`[role=progressbar][aria-label="${label}"][aria-valuenow="${done}"]`);

  it('sends an anonymous visitor to the login, refuses a wrong password, and logs in', async () => {
    await page.goto(api.url);
    await page.getByLabel('Email').fill(ops.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('Email or password is wrong.').waitFor();

    await page.getByLabel('Password').fill(ops.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Tickets' }).waitFor();
    await page.getByRole('status').getByText('Live', { exact: true }).waitFor();
    await page
      .getByRole('table', { name: 'Jobs per queue' })
      .getByRole('rowheader', { name: 'import', exact: true })
      .waitFor();
    expect(await page.getByText(ops.email).count()).toBe(1);
  });

  it('shows a ticket created through the API without a reload', async () => {
    // A marker on the window: a reload would wipe it.
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    await api.createTicket(sales, { companyName: 'Live Arrival AS' });
    await page.getByRole('link', { name: 'Live Arrival AS' }).waitFor();
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);

    // Filters and search narrow the list.
    await page.getByLabel('Search').fill('arrival');
    await page.getByText('1 shown of').waitFor();
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Kind').selectOption('live');
    await page.getByText('No tickets match these filters.').waitFor();
    await page.getByLabel('Kind').selectOption('');
    await page.getByRole('link', { name: 'Live Arrival AS' }).waitFor();
  });

  it('moves the progress of a migration on the list and on its page as batches arrive, and shows checks, plan, tables and missing documents', async () => {
    const created = await api.createTicket(sales, { companyName: 'Progress Works AS' });
    const agent = await api.enroll(created.enrollmentCode);
    await startedUpload(api, agent, { contact: 6, person: 4 });
    const missing = await api.call('PUT', '/api/agent/documents/missing', {
      as: agent,
      body: {
        documents: [
          { documentId: 7, name: 'offer.docx', relativePath: 'jd/2006.1/offer.docx', reason: 'missing-file' },
          { documentId: 9, name: '', relativePath: null, reason: 'blank-name' },
        ],
      },
    });
    expect(missing.status).toBe(204);

    // On the list: the rows figure follows the imports.
    const rows = 'Rows of Progress Works AS';
    await rowsBar(rows, 0).waitFor();
    expect((await putBatch(api, agent, 'contact', 0, copyText(0, 3))).status).toBe(200);
    await rowsBar(rows, 3).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Progress Works AS' }) });
    await row.getByText('Mia Migrator').waitFor();
    // In words: the last activity, not "ticket.stateChanged by agent:<uuid>".
    await row.getByText('state changed by the agent (upload started)').waitFor();
    await page.getByLabel('Search').blur();
    await shot('dashboard-tickets.png', true);

    // Every column fits at the common laptop widths: each header lies inside the window and the table needs no scrolling.
    const table = page.getByRole('table', { name: 'Tickets' });
    const headers = await table.getByRole('columnheader').allTextContents();
    expect(headers).toEqual([
      'Customer',
      'Kind',
      'State',
      'Progress',
      'Throughput',
      'ETA',
      'Downtime',
      'Last activity',
      'Migrator',
    ]);
    for (const width of [1280, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      for (const header of await table.getByRole('columnheader').all()) {
        const box = (await header.boundingBox())!;
        expect({ width, header: await header.textContent(), inside: box.x >= 0 && box.x + box.width <= width }).toEqual(
          {
            width,
            header: await header.textContent(),
            inside: true,
          },
        );
      }
      const scroll = await page
        .locator('.tickets .table-scroll')
        .evaluate((node) => ({ scrollWidth: node.scrollWidth, clientWidth: node.clientWidth }));
      expect(scroll.scrollWidth).toBeLessThanOrEqual(scroll.clientWidth);
    }
    // A phone: no sideways scrolling of the page.
    await page.setViewportSize({ width: 390, height: 844 });
    await row.getByText('Mia Migrator').waitFor();
    expect(await pageScrollsSideways()).toBe(false);
    await shot('dashboard-tickets-390.png');
    await page.setViewportSize({ width: 1280, height: 900 });

    // The ticket page.
    await page.getByRole('link', { name: 'Progress Works AS' }).click();
    await page.getByRole('heading', { name: 'Progress Works AS' }).waitFor();
    await rowsBar('Rows imported', 3).waitFor();
    const checks = page.getByRole('list', { name: 'Check results' });
    await checks.getByText("user 'jd' is on travel").waitFor();
    expect(await checks.getByRole('listitem').count()).toBe(2);
    await page.getByLabel('Migrator contact').getByText('Mia Migrator').waitFor();
    const plans = page.getByRole('table', { name: 'Users per plan' });
    // The plan's name, not its module code.
    expect(await plans.getByRole('row').filter({ hasText: 'Sales Premium' }).getByText('ADMIN').count()).toBe(1);
    expect(await plans.getByText('ten-sales').count()).toBe(0);
    expect(await plans.getByRole('row').filter({ hasText: 'no plan (cannot log in)' }).getByText('JD').count()).toBe(1);
    const tables = page.getByRole('table', { name: 'Tables' });
    await tables.getByRole('rowheader', { name: 'contact' }).waitFor();
    await tables.getByRole('rowheader', { name: 'person' }).waitFor();
    const missingTable = page.getByRole('table', { name: 'Missing documents' });
    await missingTable.getByRole('row').filter({ hasText: 'offer.docx' }).getByText('file not on disk').waitFor();
    await missingTable.getByRole('row').filter({ hasText: '9' }).getByText('blank file name').waitFor();
    const trail = page.getByRole('list', { name: 'Audit trail' });
    await trail.getByText('agent enrolled', { exact: true }).first().waitFor();
    await trail.getByText('enrolled → ready').waitFor();
    expect(await trail.getByText(/agent\.enrolled|stateChanged|agent:/).count()).toBe(0);
    await page.locator('.facts__item[title^="database "]').getByText('migration pending').waitFor();
    await page.getByText('An agent starting now would').getByText('resume the upload').waitFor();
    // What omt holds of the uploaded data, and that it stays while the migration runs.
    await page
      .locator('.facts__item')
      .filter({ hasText: 'Working copies' })
      .getByText(/ held while the migration runs$/)
      .waitFor();

    // More batches while the page is open: the figures move without a reload.
    expect((await putBatch(api, agent, 'contact', 1, copyText(3, 6))).status).toBe(200);
    await rowsBar('Rows imported', 6).waitFor();
    await rowsBar('Rows of contact', 6).waitFor();
    expect((await putBatch(api, agent, 'person', 0, copyText(0, 4))).status).toBe(200);
    await rowsBar('Rows imported', 10).waitFor();
    await rowsBar('Rows of person', 4).waitFor();
    await shot('dashboard-ticket.png', true);

    // The ticket page on a phone: no sideways scrolling either.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('heading', { name: 'Progress Works AS' }).waitFor();
    expect(await pageScrollsSideways()).toBe(false);
    await shot('dashboard-ticket-390.png');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('moves the rows figure on the ticket page, step by step, while the real agent migrates the small sample, and ends completed', async () => {
    const sample = await createSampleSource('dashboard', { seed: 23 });
    try {
      const created = await api.createTicket(sales, { companyName: 'Sample Migration AS' });
      await page.goto(`${api.url}/tickets/${created.ticket.id}`);
      await page.getByRole('heading', { name: 'Sample Migration AS' }).waitFor();
      await rowsBar('Rows imported', 0).waitFor();

      // Every figure the page shows, recorded in the page itself as it renders (no reload, no gaps between polls).
      await page.evaluate(() => {
        const { document, MutationObserver } = globalThis as unknown as BrowserGlobals;
        const seen: string[] = [];
        const record = () => {
          const now = document
            .querySelector('[role=progressbar][aria-label="Rows imported"]')
            ?.getAttribute('aria-valuenow');
          if (now != null && seen.at(-1) !== now) seen.push(now);
        };
        record();
        new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true });
        Object.assign(globalThis, { rowsSeen: seen });
      });

      // Small batches, so the rows arrive in many steps.
      const run = await runNode(
        migrateArgs(
          api.url,
          created.enrollmentCode,
          { url: sample.db.url, archive: sample.archive },
          { stateDir: join(dir, 'agent'), batchRows: 50 },
        ),
        AGENT_ENV,
      );
      if (run.code !== 0)
        throw new Error(`agent exit ${run.code}\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
      expect(JSON.parse(run.stdout)).toMatchObject({ state: 'completed', verified: true, structure: { verified: true } });

      await page.locator('header [data-state="completed"]').waitFor();
      // The structure's verdict beside the content's, for every table.
      const structure = page.getByRole('table', { name: 'Tables' }).locator('[data-structure]');
      await structure.first().waitFor();
      await structure.and(page.locator('[data-structure="pending"]')).first().waitFor({ state: 'detached' });
      expect(await structure.evaluateAll((cells) => cells.map((c) => c.getAttribute('data-structure')))).toEqual(
        Array((await structure.count())).fill('equal'),
      );
      const [{ rows }] = (await sql(
        'SELECT sum("expectedRows")::int AS rows FROM "TableUpload" WHERE "ticketId" = $1',
        [created.ticket.id],
      )) as [{ rows: number }];
      await rowsBar('Rows imported', rows).waitFor();
      // Completed: the working copies now have a date on which they go.
      await page
        .locator('.facts__item')
        .filter({ hasText: 'Working copies' })
        .getByText(/ held until \d{1,2} [A-Z][a-z]{2} \d{2}:\d{2}$/)
        .waitFor();

      const seen = (await page.evaluate(() => (globalThis as { rowsSeen?: string[] }).rowsSeen ?? [])).map(Number);
      // The figure went up, never down, at least twice on the way from 0 to every row.
      expect(seen[0]).toBe(0);
      expect(seen.at(-1)).toBe(rows);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(new Set(seen).size).toBeGreaterThanOrEqual(3);
      console.info(`rows figures seen on the ticket page during the migration: ${seen.join(' → ')}`);
      await shot('dashboard-ticket-migrated.png');
    } finally {
      await sample.drop();
    }
  });

  it('shows a permanently failed import with its error and retries it from the page', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    await startedUpload(api, agent, { contact: 4 });
    await page.goto(`${api.url}/tickets/${ticketId}`);
    await page.getByRole('table', { name: 'Tables' }).getByRole('rowheader', { name: 'contact' }).waitFor();

    // The batch lands, then its stored blob is damaged before the worker reads it: a permanent failure.
    const imports = api.context.get(QueuesService, { strict: false }).queue(QUEUES.import);
    await imports.pause();
    const text = copyText(0, 4);
    expect((await putBatch(api, agent, 'contact', 0, text)).status).toBe(200);
    const [{ blobKey }] = (await sql('SELECT "blobKey" FROM "BatchUpload" WHERE "ticketId" = $1', [ticketId])) as [
      { blobKey: string },
    ];
    const blob = join(api.config.blobDir, blobKey);
    const original = await readFile(blob);
    await writeFile(blob, gzipSync(copyText(0, 4, 'damaged')));
    await imports.resume();

    const failures = page.getByRole('list', { name: 'Failed jobs' });
    // The job in words; its name and id in tooltips.
    await failures.getByText('Could not import a batch of rows').waitFor();
    await failures.getByText('import queue, job').waitFor();
    await page.locator('[data-state="failed"]').waitFor();
    await shot('dashboard-ticket-failure.png');

    // Put the right bytes back and retry from the page: the rows land and the error goes.
    await writeFile(blob, original);
    await failures.getByRole('button', { name: /^Retry job / }).click();
    await page
      .getByRole('status')
      .getByText(/queued again/)
      .waitFor();
    await rowsBar('Rows of contact', 4).waitFor();
    await page.getByText('No failed jobs.').waitFor();
    expect(
      await sql('SELECT count(*)::int AS n FROM "BatchUpload" WHERE "ticketId" = $1 AND "importedAt" IS NOT NULL', [
        ticketId,
      ]),
    ).toEqual([{ n: 1 }]);
  });

  it('shows the name a long table is stored under, and its renamed columns', async () => {
    const { ticketId, agent } = await enrolledTicket(api, sales);
    const name = `Customer_relationship_archive_table_with_a_very_long_name_${'x'.repeat(60)}`;
    const column = `description_of_the_customer_relationship_${'c'.repeat(40)}`;
    await startedUpload(api, agent, { contact: 1 });
    // A second run announcing the long table too (a resume keeps every earlier table).
    const start = {
      limits: { maxRows: 1000, maxBytes: 4 * 1024 * 1024 },
      tables: [
        { name: 'contact', rows: 1 },
        { name, rows: 0 },
      ],
      documents: { count: 0, bytes: 0 },
    };
    expect((await api.call('POST', '/api/agent/upload', { as: agent, body: start })).status).toBe(200);
    const schema = {
      name,
      columns: [
        { name: 'id', type: { kind: 'int32' }, nullable: false },
        { name: column, type: { kind: 'text', maxLength: null }, nullable: true },
      ],
      primaryKey: ['id'],
    };
    expect((await api.call('PUT', tablePath(name), { as: agent, body: schema })).status).toBe(204);

    await page.goto(`${api.url}/tickets/${ticketId}`);
    const tables = page.getByRole('table', { name: 'Tables' });
    const header = tables.getByRole('rowheader', { name: new RegExp(`^${name}`) });
    await header.getByText(`stored as ${tenantIdentifier(name)}`).waitFor();
    await page
      .getByRole('list', { name: `Renamed columns of ${name}` })
      .getByText(`column ${column} stored as ${tenantIdentifier(column)}`)
      .waitFor();
    // A short name says nothing more.
    expect(await tables.getByRole('rowheader', { name: 'contact', exact: true }).textContent()).toBe('contact');
  });

  it('issues a new enrollment code once and goes back to the login when the session ends', async () => {
    const created = await api.createTicket(sales, { companyName: 'Code Again AS' });
    await page.goto(`${api.url}/tickets/${created.ticket.id}`);
    await page.getByRole('button', { name: 'New enrollment code' }).click();
    const code = await page.getByRole('region', { name: 'New enrollment code' }).locator('output').textContent();
    expect(code).toMatch(/\S{8,}/);
    // The new code works, the one from the ticket's creation no longer does.
    expect((await api.call('POST', '/api/agent/enroll', { body: { code: created.enrollmentCode } })).status).toBe(401);
    await api.enroll(code!.trim());

    // An error reads as words, not as its code.
    await page.goto(`${api.url}/tickets/00000000-0000-4000-8000-000000000000`);
    const alert = page.getByRole('alert').filter({ hasText: 'The ticket could not be loaded.' });
    await alert.getByText(/Not found: /).waitFor();
    expect(await alert.textContent()).not.toContain('NOT_FOUND');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await page.goto(`${api.url}/tickets/${created.ticket.id}`);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
  });
});
