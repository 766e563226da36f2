import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Credential } from '../../apps/ops-api/test/support/auth-helpers';
import { startTestApi, type TestApi } from '../../apps/ops-api/test/support/test-api';
import { chromiumAvailable, launchChromium, TEST_RESULTS } from '../support/chromium';
import { queryDatabase } from '../support/databases';

const hasChromium = chromiumAvailable('API docs browser test');
jest.setTimeout(120_000);

/**
 * The sales rep's and the ops person's way into the API without writing a
 * client: the docs page at /api/docs, its "Authorize" and "Try it out".
 * What the page did is checked in the operations database, not on the page.
 */
(hasChromium ? describe : describe.skip)('the API docs page in Chromium', () => {
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let sales: Credential & { bearer: string };
  const sql = (text: string, values: unknown[] = []) => queryDatabase(api.database.url, text, values);

  beforeAll(async () => {
    api = await startTestApi('api-docs');
    sales = await api.createSalesKey('docs page');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  /** The docs page as a visitor first sees it (no operation opened; the URL's #fragment would keep one open). */
  const openDocs = () => page.goto(`${api.url}/api/docs`);

  /** "Authorize" → the sales_api_key field → the key. */
  async function authorizeSales(): Promise<void> {
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    const salesScheme = page.locator('.modal-ux .auth-container').filter({ hasText: 'sales_api_key' });
    await salesScheme.locator('input').fill(sales.bearer);
    await salesScheme.getByRole('button', { name: 'Apply credentials' }).click();
    await salesScheme.getByRole('button', { name: 'Close' }).click();
  }

  /** Opens an operation's panel, presses "Try it out", optionally replaces the body, executes; answers the status shown. */
  async function tryItOut(operationId: string, body?: unknown): Promise<string> {
    const operation = page.locator(`[id$="-${operationId}"]`);
    await operation.locator('.opblock-summary').first().click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    if (body !== undefined) await operation.locator('textarea.body-param__text').fill(JSON.stringify(body));
    await operation.getByRole('button', { name: 'Execute' }).click();
    const status = operation.locator('.live-responses-table tr.response td.response-col_status');
    await status.waitFor();
    return (await status.textContent())!.trim();
  }

  it('authorizes with a sales API key and opens a ticket from the example body with "Try it out"', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await openDocs();
    await authorizeSales();

    // The body is the contracts' examples as they are: a rep only changes the customer.
    const status = await tryItOut('TicketsController_create');
    await page.screenshot({ path: join(TEST_RESULTS, 'api-docs-create-ticket.png'), fullPage: true });
    expect(status).toBe('201');
    expect(errors).toEqual([]);

    const tickets = await sql(
      `SELECT t."customerId", t.kind, t.state, e.actor FROM "Ticket" t JOIN "AuditEvent" e ON e."ticketId" = t.id AND e.action = 'ticket.created'`,
    );
    expect(tickets).toEqual([{ customerId: 'Cust12345', kind: 'test', state: 'created', actor: 'sales:docs page' }]);
  });

  it('shows the error envelope naming a missing field "required"', async () => {
    await openDocs();
    await authorizeSales();
    const status = await tryItOut('TicketsController_create', {
      companyName: 'Acme',
      serialNumber: '1',
      environment: 'online',
      kind: 'test',
      salesRep: { name: 'Sam', email: 'sam@example.com' },
    });
    expect(status).toBe('400');
    const shown = await page
      .locator('[id$="-TicketsController_create"] .live-responses-table tr.response td.response-col_description')
      .textContent();
    expect(shown).toContain('"path": "customerId"');
    expect(shown).toContain('"message": "required"');
  });

  it('lets an ops person log in on the page: the session cookie then carries the other calls', async () => {
    const ops = await api.createUser('ops');
    await openDocs();
    // With the sales key entered too, the page must still send only the cookie where only ops may go (the key would get 403).
    await authorizeSales();
    expect(await tryItOut('AuthController_login', { email: ops.email, password: ops.password })).toBe('200');
    // Nothing to paste under "Authorize": the browser sends the httpOnly cookie it was given.
    expect(await tryItOut('TicketsController_list')).toBe('200');
    const listed = await page
      .locator('[id$="-TicketsController_list"] .live-responses-table tr.response td.response-col_description')
      .textContent();
    expect(listed).toContain('Cust12345'); // the ticket the first test opened
  });
});
