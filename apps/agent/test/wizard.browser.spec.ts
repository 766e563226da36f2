import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { migrationPlanSchema, type DirectoryUser, type UserDirectory } from '@omt/contracts';
import { chromiumAvailable, launchChromium, TEST_RESULTS } from '../../../test/support/chromium';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases';
import { startingPlan } from '../src/plan/starting-plan';
import { readPlanSource } from '../src/plan/user-directory';
import { createSampleDatabase } from '../src/sample/sample-db';
import { SAMPLE_ADMIN_LOGIN, SAMPLE_ADMIN_PASSWORD, SAMPLE_SALES_LOGIN } from '../src/sample/sample-users';
import { PostgresSource } from '../src/source/postgres-source';
import { MigrationSession } from '../src/wizard/migration-session';
import { FilePlanSink } from '../src/wizard/plan-sink';
import { startWizardServer, type WizardServer } from '../src/wizard/wizard-server';

const RESULTS = TEST_RESULTS;
const hasChromium = chromiumAvailable('wizard browser test');

(hasChromium ? describe : describe.skip)('the wizard in Chromium', () => {
  let db: TestDatabase;
  let dir: string;
  let browser: Browser;
  let server: WizardServer;
  let page: Page;
  let directory: UserDirectory;
  const out = () => join(dir, 'plan.json');

  beforeAll(async () => {
    db = await createTestDatabase('wizard_browser');
    dir = await mkdtemp(join(tmpdir(), 'omt-wizard-browser-'));
    await createSampleDatabase({ target: db.url, archive: join(dir, 'arc'), seed: 7, size: 'small', problems: [], schema: 'crm7' });
    const source = new PostgresSource(db.url, 'crm7');
    try {
      directory = (await readPlanSource(source)).directory;
    } finally {
      await source.close();
    }
    const session = new MigrationSession({
      openSource: () => new PostgresSource(db.url, 'crm7'),
      sourceLabel: 'sample onsite CRM',
      archive: join(dir, 'arc'),
      sink: new FilePlanSink(out()),
    });
    server = await startWizardServer(session);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const user = (login: string) => directory.users.find((u) => u.login === login)!;
  const card = (login: string) => page.locator(`#board .card[data-login="${login}"]`);
  const emailRow = (login: string) => page.locator(`#email-rows tr[data-login="${login}"]`);

  it('logs on, takes the contact, shows the checks, filters, drags, picks and fixes emails, and submits the plan', async () => {
    // The page strips the one-time token from the address.
    await page.goto(server.url);
    expect(page.url()).toBe(`http://127.0.0.1:${server.port}/`);

    await page.fill('#logon-form [name=login]', SAMPLE_ADMIN_LOGIN);
    await page.fill('#logon-form [name=password]', 'wrong');
    await page.click('#logon-form button[type=submit]');
    await page.locator('#error').getByText(/Logon refused/).waitFor();
    await page.fill('#logon-form [name=password]', SAMPLE_ADMIN_PASSWORD);
    await page.click('#logon-form button[type=submit]');

    await page.locator('section[data-step=contact]').waitFor();
    await page.fill('#contact-form [name=name]', 'Mia Migrator');
    await page.fill('#contact-form [name=email]', 'mia@');
    await page.fill('#contact-form [name=phone]', '+47 22 33 44 55');
    await page.click('#contact-form button[type=submit]');
    await page.locator('[data-issue="migrator.email"]').getByText(/not valid/).waitFor();
    await page.fill('#contact-form [name=email]', 'mia@partner.example');
    await page.click('#contact-form button[type=submit]');

    await page.locator('section[data-step=checks]').waitFor();
    await page.locator('#checks-list li[data-check=version-supported].ok').waitFor();
    await expect(page.locator('#checks-list li').count()).resolves.toBe(11);
    expect(await page.textContent('#checks-lead')).toBe('Nothing blocks the migration.');
    await page.click('#checks-next');

    // User plans: one column for "no plan" and one per plan; administrators wear the crown.
    await page.locator('section[data-step=plans]').waitFor();
    await expect(page.locator('#board .column').count()).resolves.toBe(directory.plans.length + 1);
    await expect(card(SAMPLE_ADMIN_LOGIN).locator('.crown').count()).resolves.toBe(1);
    await expect(card(SAMPLE_SALES_LOGIN).locator('.crown').count()).resolves.toBe(0);
    await page.screenshot({ path: join(RESULTS, 'wizard-plans.png'), fullPage: true });

    // The filter matches every field of the card: group, position, emails, login, name.
    const visible = () => page.locator('#board .card:not([hidden])').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-login')).sort());
    const matching = (term: string) =>
      directory.users
        .filter((u) => [u.name, u.login, u.group, u.position, ...u.emails].join(' ').toLowerCase().includes(term.toLowerCase()))
        .map((u) => u.login)
        .sort();
    for (const term of ['Management', 'mail.example', user(SAMPLE_SALES_LOGIN).name.split(' ')[0]!, 'Employee']) {
      await page.fill('#user-filter', term);
      expect(await visible()).toEqual(matching(term));
    }
    await page.fill('#user-filter', user(SAMPLE_SALES_LOGIN).emails[0]!.toUpperCase());
    expect(await visible()).toEqual([SAMPLE_SALES_LOGIN]);

    // Drag JD from Sales Essentials to Service Premium.
    expect(user(SAMPLE_SALES_LOGIN).currentPlan).toBe('sales-t1');
    await card(SAMPLE_SALES_LOGIN).dragTo(page.locator('#board .column[data-plan="ten-service"]'));
    await page.locator(`#board .column[data-plan="ten-service"] .card[data-login="${SAMPLE_SALES_LOGIN}"]`).waitFor();
    await page.fill('#user-filter', '');
    await page.click('section[data-step=plans] [data-goto=emails]');

    // Login emails: pick another of a user's own addresses.
    await page.locator('section[data-step=emails]').waitFor();
    const picker = directory.users.find((u) => u.emails.length > 1 && u.currentPlan !== null && u.login !== SAMPLE_SALES_LOGIN) as DirectoryUser;
    expect(picker).toBeDefined();
    await emailRow(picker.login).locator('select').selectOption(picker.emails[1]!);
    await expect(emailRow(picker.login).locator('input').inputValue()).resolves.toBe(picker.emails[1]);

    // Type the administrator's address for JD: both rows are flagged as you type.
    const adminEmail = user(SAMPLE_ADMIN_LOGIN).emails[0]!;
    await emailRow(SAMPLE_SALES_LOGIN).locator('input').fill('');
    await emailRow(SAMPLE_SALES_LOGIN).locator('input').pressSequentially(adminEmail.toUpperCase());
    const shared = `User 'ADMIN' and user 'JD' share ${adminEmail.toLowerCase()}.`;
    await emailRow(SAMPLE_SALES_LOGIN).locator('.flag').getByText(shared).waitFor();
    await emailRow(SAMPLE_ADMIN_LOGIN).locator('.flag').getByText(shared).waitFor();
    await expect(emailRow(SAMPLE_SALES_LOGIN).locator('input.invalid').count()).resolves.toBe(1);
    await expect(emailRow(SAMPLE_SALES_LOGIN).locator('select').inputValue()).resolves.toBe('__other');
    await page.screenshot({ path: join(RESULTS, 'wizard-emails.png'), fullPage: true });

    // An invalid address is flagged too; then fix it with one of JD's own addresses.
    await emailRow(SAMPLE_SALES_LOGIN).locator('input').fill('jd@nordlys');
    await emailRow(SAMPLE_SALES_LOGIN).locator('.flag').getByText(/invalid login email/).waitFor();
    await emailRow(SAMPLE_SALES_LOGIN).locator('input').fill('jd.new@nordlys.example');
    // A function, not a string: the page's CSP forbids eval, which a string predicate needs.
    await page.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } }).document;
      return Array.from(doc.querySelectorAll('#email-rows .flag')).every((f) => f.textContent === '');
    });

    // Summary and submit.
    await page.click('section[data-step=emails] [data-goto=summary]');
    await page.locator('section[data-step=summary]').waitFor();
    await page.check('#welcome-emails');
    await page.locator('#submit:not([disabled])').waitFor();
    await page.click('#submit');
    await page.locator('section[data-step=submitted]').waitFor();
    expect(await page.textContent('#submitted-text')).toContain(out());

    // The stored plan is exactly the starting plan with what was done in the browser.
    const stored = migrationPlanSchema.parse(JSON.parse(await readFile(out(), 'utf8')));
    const expected = startingPlan(directory, { name: 'Mia Migrator', email: 'mia@partner.example', phone: '+47 22 33 44 55' });
    expected.sendWelcomeEmails = true;
    const jd = expected.users.find((u) => u.login === SAMPLE_SALES_LOGIN)!;
    jd.plan = 'ten-service';
    jd.loginEmail = 'jd.new@nordlys.example';
    expected.users.find((u) => u.login === picker.login)!.loginEmail = picker.emails[1]!;
    expect(stored).toEqual(expected);
  });
});
