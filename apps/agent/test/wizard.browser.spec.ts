import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  migrationPlanSchema,
  ticketDetailSchema,
  type DirectoryUser,
  type MigrationPlan,
  type UserDirectory,
} from '@omt/contracts';
import type { Credential } from '../../ops-api/test/support/auth-helpers';
import { startTestApi, type TestApi } from '../../ops-api/test/support/test-api';
import { chromiumAvailable, launchChromium, screenshot, TEST_RESULTS } from '../../../test/support/chromium';
import { createTestDatabase, databaseUrl, queryDatabase, type TestDatabase } from '../../../test/support/databases';
import { eventually } from '../../../test/support/eventually';
import { CHECKS } from '../src/checks/run-checks';
import { wizardCommand } from '../src/cli/wizard.command';
import type { CommandResult } from '../src/cli/command-result';
import { startingPlan } from '../src/plan/starting-plan';
import { readPlanSource } from '../src/plan/user-directory';
import { createSampleDatabase } from '../src/sample/sample-db';
import type { SampleProblem } from '../src/sample/sample-options';
import { SAMPLE_ADMIN_LOGIN, SAMPLE_ADMIN_PASSWORD, SAMPLE_SALES_LOGIN } from '../src/sample/sample-users';
import { NO_LOGIN_EVENT } from '../src/source/onsite-freeze';
import { PostgresSource } from '../src/source/postgres-source';
import { MigrationSession } from '../src/wizard/migration-session';
import { FilePlanSink } from '../src/wizard/plan-sink';
import { DraftStore } from '../src/wizard/wizard-draft';
import { startWizardServer, type WizardServer } from '../src/wizard/wizard-server';

const RESULTS = TEST_RESULTS;
const hasChromium = chromiumAvailable('wizard browser test');
// Real imports by the real worker: longer than the project's default.
jest.setTimeout(180_000);

const MIGRATOR = { name: 'Mia Migrator', email: 'mia@partner.example', phone: '+47 22 33 44 55' };

/** The small sample onsite CRM in a database of its own, its archive in a temp folder, and its user directory. */
interface Onsite {
  db: TestDatabase;
  dir: string;
  archive: string;
  directory: UserDirectory;
  drop(): Promise<void>;
}

async function sampleOnsite(label: string, problems: SampleProblem[] = []): Promise<Onsite> {
  const db = await createTestDatabase(label);
  const dir = await mkdtemp(join(tmpdir(), 'omt-wizard-browser-'));
  const archive = join(dir, 'arc');
  await createSampleDatabase({ target: db.url, archive, seed: 7, size: 'small', problems, schema: 'crm7' });
  const source = new PostgresSource(db.url, 'crm7');
  try {
    const { directory } = await readPlanSource(source);
    return {
      db,
      dir,
      archive,
      directory,
      drop: async () => (await db.drop(), rm(dir, { recursive: true, force: true })),
    };
  } finally {
    await source.close();
  }
}

/**
 * Drives the wizard the way the migrator works, from the one-time link to
 * the summary: logon (a wrong password first), contact (an invalid address
 * first), the checks, the users filtered by several fields, JD dragged to
 * another plan, another address picked for a user, a duplicate typed and
 * flagged, an invalid one, the fix, welcome emails on. Answers the plan the
 * API or the file must hold afterwards.
 */
async function buildPlanInPage(
  page: Page,
  url: string,
  directory: UserDirectory,
  shots: string,
): Promise<MigrationPlan> {
  const user = (login: string) => directory.users.find((u) => u.login === login)!;
  const card = (login: string) => page.locator(`#board .card[data-login="${login}"]`);
  const emailRow = (login: string) => page.locator(`#email-rows tr[data-login="${login}"]`);

  // The page strips the one-time token from the address.
  await page.goto(url);
  expect(page.url()).toBe(`${new URL(url).origin}/`);

  await page.fill('#logon-form [name=login]', SAMPLE_ADMIN_LOGIN);
  await page.fill('#logon-form [name=password]', 'wrong');
  await page.click('#logon-form button[type=submit]');
  await page
    .locator('#error')
    .getByText(/Logon refused/)
    .waitFor();
  await page.locator('#error .code').getByText('ADMIN_LOGON_REFUSED').waitFor();
  await page.fill('#logon-form [name=password]', SAMPLE_ADMIN_PASSWORD);
  await page.click('#logon-form button[type=submit]');

  await page.locator('section[data-step=contact]').waitFor();
  await page.fill('#contact-form [name=name]', MIGRATOR.name);
  await page.fill('#contact-form [name=email]', 'mia@');
  await page.fill('#contact-form [name=phone]', MIGRATOR.phone);
  await page.click('#contact-form button[type=submit]');
  await page
    .locator('[data-issue="migrator.email"]')
    .getByText(/not valid/)
    .waitFor();
  await page.fill('#contact-form [name=email]', MIGRATOR.email);
  await page.click('#contact-form button[type=submit]');

  await page.locator('section[data-step=checks]').waitFor();
  await page.locator('#checks-list li[data-check=version-supported].ok').waitFor();
  await expect(page.locator('#checks-list li').count()).resolves.toBe(CHECKS.length);
  expect(await page.textContent('#checks-lead')).toBe('Nothing blocks the migration.');
  await page.click('#checks-next');

  // User plans: one column for "no plan" and one per plan; administrators wear the crown.
  await page.locator('section[data-step=plans]').waitFor();
  await expect(page.locator('#board .column').count()).resolves.toBe(directory.plans.length + 1);
  await expect(card(SAMPLE_ADMIN_LOGIN).locator('.crown').count()).resolves.toBe(1);
  await expect(card(SAMPLE_SALES_LOGIN).locator('.crown').count()).resolves.toBe(0);
  await page.screenshot({ path: join(RESULTS, `${shots}-plans.png`), fullPage: true });

  // The filter matches every field of the card: group, position, emails, login, name.
  const visible = () =>
    page
      .locator('#board .card:not([hidden])')
      .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-login')).sort());
  const matching = (term: string) =>
    directory.users
      .filter((u) =>
        [u.name, u.login, u.group, u.position, ...u.emails].join(' ').toLowerCase().includes(term.toLowerCase()),
      )
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

  // Login emails: the same free-text filter as the board, over the users with a plan.
  await page.locator('section[data-step=emails]').waitFor();
  const visibleRows = () =>
    page
      .locator('#email-rows tr:not([hidden])')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-login')).sort());
  const withPlan = new Set(
    await page.locator('#email-rows tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-login'))),
  );
  expect(withPlan.size).toBeGreaterThan(2);
  for (const term of ['Management', user(SAMPLE_SALES_LOGIN).emails[0]!.toUpperCase(), 'no-such-user']) {
    await page.fill('#email-filter', term);
    expect(await visibleRows()).toEqual(matching(term).filter((login) => withPlan.has(login)));
  }
  expect(await page.textContent('#email-filter-count')).toBe(`0 of ${withPlan.size} users`);
  await page.fill('#email-filter', '');
  expect(await visibleRows()).toHaveLength(withPlan.size);

  // Pick another of a user's own addresses.
  const picker = directory.users.find(
    (u) => u.emails.length > 1 && u.currentPlan !== null && u.login !== SAMPLE_SALES_LOGIN,
  ) as DirectoryUser;
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
  await page.screenshot({ path: join(RESULTS, `${shots}-emails.png`), fullPage: true });

  // An invalid address is flagged too; then fix it with a new address for JD.
  await emailRow(SAMPLE_SALES_LOGIN).locator('input').fill('jd@nordlys');
  await emailRow(SAMPLE_SALES_LOGIN)
    .locator('.flag')
    .getByText(/invalid login email/)
    .waitFor();
  await emailRow(SAMPLE_SALES_LOGIN).locator('input').fill('jd.new@nordlys.example');
  // A function, not a string: the page's CSP forbids eval, which a string predicate needs.
  await page.waitForFunction(() => {
    const doc = (
      globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } }
    ).document;
    return Array.from(doc.querySelectorAll('#email-rows .flag')).every((f) => f.textContent === '');
  });

  await page.click('section[data-step=emails] [data-goto=summary]');
  await page.locator('section[data-step=summary]').waitFor();
  // The box is saved by a request of its own: the draft holds it once the wizard answered.
  await Promise.all([
    page.waitForResponse((response) => response.url().endsWith('/api/plan/settings') && response.ok()),
    page.check('#welcome-emails'),
  ]);
  await page.locator('#submit:not([disabled])').waitFor();

  // The plan is exactly the starting plan with what was done in the browser.
  const expected = startingPlan(directory, MIGRATOR);
  expected.sendWelcomeEmails = true;
  const jd = expected.users.find((u) => u.login === SAMPLE_SALES_LOGIN)!;
  jd.plan = 'ten-service';
  jd.loginEmail = 'jd.new@nordlys.example';
  expected.users.find((u) => u.login === picker.login)!.loginEmail = picker.emails[1]!;
  return expected;
}

/**
 * `omt-agent wizard --api … --code …` as the migrator starts it: `link`
 * resolves with the one-time URL it prints (and all it printed by then);
 * `stop` is its Ctrl+C.
 */
function startWizardWithApi(onsite: Onsite, apiUrl: string, code: string) {
  let announced = '';
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const running: Promise<CommandResult> = wizardCommand(
    {
      source: onsite.db.url,
      archive: onsite.archive,
      open: false,
      out: join(onsite.dir, 'unused-plan.json'),
      api: apiUrl,
      code,
      stateDir: join(onsite.dir, 'state'),
    },
    (text) => void (announced += text),
    stopped,
  );
  let ended = false;
  void running.then(
    () => (ended = true),
    () => (ended = true),
  );
  const link = (async () => {
    await eventually(() => announced, {
      what: 'the wizard to print its link',
      until: (text) => /token=/.test(text),
      stopIf: () => (ended ? 'the wizard ended' : null),
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    return { url: announced.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/)![0], announced };
  })();
  return { running, stop, link };
}

(hasChromium ? describe : describe.skip)('the wizard in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('writing a plan file', () => {
    let onsite: Onsite;
    let server: WizardServer;
    let page: Page;
    const out = () => join(onsite.dir, 'plan.json');
    const stateDir = () => join(onsite.dir, 'state');

    /** The wizard as `omt-agent wizard` starts it: a new session, the draft of an earlier start offered. */
    const startWizard = async () => {
      const session = new MigrationSession({
        openSource: () => new PostgresSource(onsite.db.url, 'crm7'),
        sourceLabel: 'sample onsite CRM',
        archive: onsite.archive,
        sink: new FilePlanSink(out()),
        drafts: await DraftStore.open('sample onsite CRM', stateDir()),
      });
      return startWizardServer(session);
    };

    beforeAll(async () => {
      onsite = await sampleOnsite('wizard_browser');
      server = await startWizard();
      // The README's screenshots are taken at 1280 px.
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    });

    afterAll(async () => {
      await page?.close();
      await server?.close();
      await onsite?.drop();
    });

    it('logs on, takes the contact, shows the checks, filters, drags, picks and fixes emails; keeps that work across a restart of the wizard; submits the plan, and says how to upload it', async () => {
      const expected = await buildPlanInPage(page, server.url, onsite.directory, 'wizard');

      // The work so far is on disk beside the agent's state, readable by this user only.
      const [draftFile] = (await readdir(stateDir())).filter((name) => name.startsWith('wizard-draft-'));
      expect(draftFile).toBeDefined();
      expect((await stat(join(stateDir(), draftFile!))).mode & 0o777).toBe(0o600);

      // Stop the wizard and start it again: the new page offers the draft.
      await server.close();
      server = await startWizard();
      await page.goto(server.url);
      await page.locator('#draft-offer:not([hidden])').waitFor();
      expect(await page.textContent('#draft-text')).toMatch(/^Continue with your draft from .+\?$/);
      expect(await page.textContent('#draft-detail')).toContain(MIGRATOR.name);
      await expect(page.locator('#logon-form').isHidden()).resolves.toBe(true);
      await screenshot(page, 'wizard-draft-offer.png');
      await page.click('#draft-continue');
      await page.fill('#logon-form [name=login]', SAMPLE_ADMIN_LOGIN);
      await page.fill('#logon-form [name=password]', SAMPLE_ADMIN_PASSWORD);
      await page.click('#logon-form button[type=submit]');

      // Contact details, plan choices and login emails are the draft's.
      await page.locator('section[data-step=contact]').waitFor();
      for (const field of ['name', 'email', 'phone'] as const)
        await expect(page.inputValue(`#contact-form [name=${field}]`)).resolves.toBe(MIGRATOR[field]);
      await page.click('#contact-form button[type=submit]');
      await page.locator('section[data-step=checks]').waitFor();
      await page.click('#checks-next:not([disabled])');
      await page.locator(`#board .column[data-plan="ten-service"] .card[data-login="${SAMPLE_SALES_LOGIN}"]`).waitFor();
      for (const row of expected.users) {
        const column = await page
          .locator(`#board .card[data-login="${row.login}"]`)
          .evaluate((card) => card.closest('.column')!.getAttribute('data-plan'));
        expect({ login: row.login, plan: column }).toEqual({ login: row.login, plan: row.plan ?? '' });
      }
      await screenshot(page, 'wizard-plan-board.png', { docs: true });
      await page.click('section[data-step=plans] [data-goto=emails]');
      await page.locator('section[data-step=emails]').waitFor();
      const typed = await page
        .locator('#email-rows tr')
        .evaluateAll((rows) =>
          rows.map((r) => [
            r.getAttribute('data-login'),
            (r.querySelector('input') as { value: string } | null)?.value,
          ]),
        );
      expect(Object.fromEntries(typed)).toEqual(
        Object.fromEntries(expected.users.filter((u) => u.plan !== null).map((u) => [u.login, u.loginEmail])),
      );
      await page.click('section[data-step=emails] [data-goto=summary]');
      await expect(page.isChecked('#welcome-emails')).resolves.toBe(true);

      await page.click('#submit:not([disabled])');
      await page.locator('section[data-step=submitted]').waitFor();
      expect(await page.textContent('#submitted-text')).toContain(out());
      expect(await page.textContent('#submitted-next')).toContain(`omt-agent migrate --plan ${out()}`);
      // Without an API the upload is not the wizard's: its steps stay greyed out.
      await expect(page.locator('#steps li.later').count()).resolves.toBe(2);

      const stored = migrationPlanSchema.parse(JSON.parse(await readFile(out(), 'utf8')));
      expect(stored).toEqual(expected);
      // Submitted: the next start begins afresh.
      expect((await readdir(stateDir())).filter((name) => name.startsWith('wizard-draft-'))).toEqual([]);
    });
  });

  describe('with the API and its worker: submit, upload, result', () => {
    let onsite: Onsite;
    let api: TestApi;
    let sales: Credential;
    let ops: Credential;
    let page: Page;

    beforeAll(async () => {
      api = await startTestApi('wizard', { worker: true });
      sales = await api.createSalesKey();
      ops = await api.loginAs('ops');
      onsite = await sampleOnsite('wizard_api_browser');
      page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    });

    afterAll(async () => {
      await page?.close();
      await api?.close();
      await onsite?.drop();
    });

    it('submits the plan to the ticket, starts the live upload after the freeze is confirmed, shows the progress and the completed result', async () => {
      const created = await api.createTicket(sales, { companyName: 'Wizard Works AS', kind: 'live' });
      const { running, stop, link } = startWizardWithApi(onsite, api.url, created.enrollmentCode);
      try {
        const { url, announced } = await link;
        expect(announced).toContain('Wizard Works AS (live migration to online)');

        const expected = await buildPlanInPage(page, url, onsite.directory, 'wizard-api');
        await page.click('#submit');

        // The summary now offers the upload instead of the submit; a live migration must confirm the onsite freeze first.
        await page.locator('#start-panel:not([hidden])').waitFor();
        await expect(page.locator('#submit').isVisible()).resolves.toBe(false);
        await page.locator('#freeze-warning').getByText('Live migration: the onsite CRM will be frozen.').waitFor();
        expect(await page.textContent('#start-text')).toContain(
          `Ticket ${created.ticket.customerId} (Wizard Works AS): a live migration to online.`,
        );
        await page.locator('#start-upload[disabled]').waitFor();
        const refused = await page.evaluate(async () => {
          const res = await fetch('/api/upload', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: '{"confirmFreeze":false}',
          });
          return { status: res.status, body: (await res.json()) as { error: { code: string } } };
        });
        expect(refused).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
        await page.check('#confirm-freeze');
        await page.screenshot({ path: join(RESULTS, 'wizard-api-start.png'), fullPage: true });
        await page.click('#start-upload:not([disabled])');

        // Progress: the rows, tables and MB figures of the running upload.
        await page.locator('section[data-step=upload]').waitFor();
        const figure = (name: string) => page.locator(`#upload-figures tr[data-figure="${name}"] td`);
        await figure('Rows')
          .waitFor()
          .catch(async (error: Error) => {
            // What the page said instead: the agent's narrative and any error with its code.
            const said = await page.locator('main').innerText();
            throw new Error(`${error.message}\n--- the page said:\n${said}`);
          });
        expect(await figure('Rows').textContent()).toMatch(/^[\d,]+ \/ [\d,]+$/);
        expect(await figure('Tables').textContent()).toMatch(/^\d+ \/ \d+$/);
        expect(await figure('Data').textContent()).toMatch(/B \/ .*B$/);
        // The sample's archive: its 30 documents go after the tables.
        expect(await figure('Documents').textContent()).toMatch(/^\d+ \/ 30 \(.*B \/ .*B\)$/);
        await page
          .locator('#upload-log li')
          .getByText(/^Uploading \d+ tables/)
          .waitFor();
        await page.screenshot({ path: join(RESULTS, 'wizard-upload-progress.png'), fullPage: true });

        // The result.
        await page.locator('section[data-step=result]').waitFor({ timeout: 150_000 });
        const result = (name: string) => page.locator(`#result-figures tr[data-figure="${name}"] td`);
        expect(await page.textContent('#result-title')).toBe('Migration completed');
        expect(await result('Final state').textContent()).toBe('completed');
        expect(await result('Verified').textContent()).toMatch(/^yes/);
        expect(Number(await result('Tables').textContent())).toBeGreaterThan(10);
        expect(await result('Documents uploaded').textContent()).toMatch(/^30 \(.*B\), 0 had landed before$/);
        expect(await result('Missing documents').textContent()).toBe('0');
        await expect(page.locator('#result-again').isHidden()).resolves.toBe(true);
        await page.screenshot({ path: join(RESULTS, 'wizard-result.png'), fullPage: true });

        // The API stored exactly the plan built in the page, and the ticket is completed.
        const detail = await api.call('GET', `/api/tickets/${created.ticket.id}/detail`, { as: ops });
        expect(detail.status).toBe(200);
        const { ticket, plan } = ticketDetailSchema.parse(detail.body);
        expect(ticket.state).toBe('completed');
        expect(plan).toEqual(expected);
        expect(plan!.users.find((u) => u.login === SAMPLE_SALES_LOGIN)).toMatchObject({
          plan: 'ten-service',
          loginEmail: 'jd.new@nordlys.example',
        });
        // A live migration leaves the onsite CRM frozen: the customer works online now.
        const events = await queryDatabase(onsite.db.url, 'SELECT 1 FROM crm7."SystemEvent" WHERE eventkey = $1', [
          NO_LOGIN_EVENT.key,
        ]);
        expect(events).toHaveLength(1);

        // Closing the wizard in the page ends the command with the outcome.
        await page.click('#close-wizard');
        const done = await running;
        expect(done).toMatchObject({ exitCode: 0, data: { outcome: { state: 'completed', verified: true } } });
      } finally {
        stop();
        await running.catch(() => undefined);
      }
    });
  });
  describe('with findings the plan fixes: shared login emails, no administrator with a plan', () => {
    let onsite: Onsite;
    let api: TestApi;
    let sales: Credential;
    let page: Page;

    beforeAll(async () => {
      api = await startTestApi('wizard_findings', { worker: true });
      sales = await api.createSalesKey();
      // duplicate-emails: MG's only address is JD's, upper-cased. no-licensed-admin: ADMIN and UA hold no user plan.
      onsite = await sampleOnsite('wizard_findings_browser', ['duplicate-emails', 'no-licensed-admin']);
      page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    });

    afterAll(async () => {
      await page?.close();
      await api?.close();
      await onsite?.drop();
    });

    it('shows them as fixed in the plan step, turns them resolved as the plan changes, uploads, and the tenant holds the choices', async () => {
      const created = await api.createTicket(sales, { companyName: 'Shared Inbox AS', kind: 'test' });
      const { running, stop, link } = startWizardWithApi(onsite, api.url, created.enrollmentCode);
      const user = (login: string) => onsite.directory.users.find((u) => u.login === login)!;
      const jdAddress = user(SAMPLE_SALES_LOGIN).emails[0]!;
      const adminAddress = user(SAMPLE_ADMIN_LOGIN).emails[0]!;
      const finding = (list: string, id: string) => page.locator(`${list} li[data-check="${id}"]`);
      try {
        await page.goto((await link).url);
        await page.fill('#logon-form [name=login]', SAMPLE_ADMIN_LOGIN);
        await page.fill('#logon-form [name=password]', SAMPLE_ADMIN_PASSWORD);
        await page.click('#logon-form button[type=submit]');
        await page.locator('section[data-step=contact]').waitFor();
        await page.fill('#contact-form [name=name]', MIGRATOR.name);
        await page.fill('#contact-form [name=email]', MIGRATOR.email);
        await page.fill('#contact-form [name=phone]', MIGRATOR.phone);
        await page.click('#contact-form button[type=submit]');

        // The checks: both findings block, but in the plan step, not onsite; the migrator may go on.
        await page.locator('section[data-step=checks]').waitFor();
        for (const id of ['user-email-duplicate', 'admin-without-plan']) {
          await finding('#checks-list', id).and(page.locator('.plan')).waitFor();
          expect(await finding('#checks-list', id).locator('.badge').textContent()).toBe('PLAN');
          expect(await finding('#checks-list', id).locator('.fix').textContent()).toMatch(/^Fixed in the plan step: /);
        }
        expect(await finding('#checks-list', 'user-email-duplicate').locator('.fix').textContent()).toContain(
          "give users 'JD' and 'MG' login emails of their own",
        );
        expect(await page.textContent('#checks-lead')).toMatch(/^Nothing blocks the migration onsite\./);
        await page.screenshot({ path: join(RESULTS, 'wizard-findings-checks.png'), fullPage: true });
        await page.click('#checks-next:not([disabled])');

        // User plans: the administrator finding is open until ADMIN gets a plan.
        await page.locator('section[data-step=plans]').waitFor();
        await finding('#plan-findings', 'admin-without-plan').and(page.locator('.open')).waitFor();
        await finding('#plan-findings', 'user-email-duplicate').and(page.locator('.open')).waitFor();
        await page
          .locator(`#board .card[data-login="${SAMPLE_ADMIN_LOGIN}"]`)
          .dragTo(page.locator('#board .column[data-plan="ten-sales"]'));
        await finding('#plan-findings', 'admin-without-plan').and(page.locator('.resolved')).waitFor();
        expect(await finding('#plan-findings', 'admin-without-plan').textContent()).toBe(
          'An administrator has a user plan: resolved by the plan.',
        );
        await finding('#plan-findings', 'user-email-duplicate').and(page.locator('.open')).waitFor();
        await page.click('section[data-step=plans] [data-goto=emails]');

        // Login emails: MG gets an address of their own, and the shared address turns resolved as it is typed.
        await page.locator('section[data-step=emails]').waitFor();
        await finding('#email-findings', 'user-email-duplicate').and(page.locator('.open')).waitFor();
        expect(await page.locator(`#email-rows tr[data-login="${SAMPLE_ADMIN_LOGIN}"] input`).inputValue()).toBe(
          adminAddress,
        );
        await page.locator('#email-rows tr[data-login="MG"] input').fill('magnus.mg@nordlys.example');
        await finding('#email-findings', 'user-email-duplicate').and(page.locator('.resolved')).waitFor();
        await page.screenshot({ path: join(RESULTS, 'wizard-findings-emails.png'), fullPage: true });

        // Back at the checks, both findings now say the plan resolves them.
        await page.locator('#steps li', { hasText: 'Checks' }).click();
        for (const id of ['user-email-duplicate', 'admin-without-plan']) {
          await finding('#checks-list', id).and(page.locator('.resolved')).waitFor();
          expect(await finding('#checks-list', id).locator('.badge').textContent()).toBe('RESOLVED');
        }
        await page.click('#checks-next');
        await page.click('section[data-step=plans] [data-goto=emails]');
        await page.click('section[data-step=emails] [data-goto=summary]');
        await page.click('#submit:not([disabled])');

        // The upload proceeds: a test migration needs no freeze confirmation.
        await page.locator('#start-panel:not([hidden])').waitFor();
        await page.click('#start-upload:not([disabled])');
        await page
          .locator('section[data-step=result]')
          .waitFor({ timeout: 150_000 })
          .catch(async (error: Error) => {
            throw new Error(`${error.message}\n--- the page said:\n${await page.locator('main').innerText()}`);
          });
        expect(await page.textContent('#result-title')).toBe('Migration completed');
        const detail = await api.call('GET', `/api/tickets/${created.ticket.id}/detail`, {
          as: await api.loginAs('ops'),
        });
        expect(ticketDetailSchema.parse(detail.body).ticket.state).toBe('completed');

        // The tenant, read with SQL: the login emails and the administrator's plan chosen in the page.
        const tenant = databaseUrl(created.ticket.tenant.databaseName);
        const userNames = new Map(
          (await queryDatabase(tenant, 'SELECT name, "userName" FROM crm7.associate')).map((r) => [r.name, r.userName]),
        );
        expect(userNames.get('MG')).toBe('magnus.mg@nordlys.example');
        expect(userNames.get(SAMPLE_SALES_LOGIN)).toBe(jdAddress);
        expect(userNames.get(SAMPLE_ADMIN_LOGIN)).toBe(adminAddress);
        const cardOf = async (login: string) =>
          (
            await queryDatabase(
              tenant,
              'SELECT e.email_address FROM crm7."Email" e JOIN crm7.associate a ON a.person_id = e.person_id WHERE a.name = $1',
              [login],
            )
          ).map((r) => String(r.email_address).toLowerCase());
        // JD logs in with the address MG shared: it is taken off MG's card.
        expect(await cardOf('MG')).not.toContain(jdAddress.toLowerCase());
        expect(await cardOf(SAMPLE_SALES_LOGIN)).toContain(jdAddress.toLowerCase());
        const adminPlans = await queryDatabase(
          tenant,
          `SELECT m."moduleName" FROM crm7."LicenseAssocLink" l
             JOIN crm7."ModuleLicense" m ON m."ModuleLicense_id" = l."moduleLicenseId" AND m."extraFlags" = 1
             JOIN crm7.associate a ON a.associate_id = l."assocId" WHERE a.name = $1`,
          [SAMPLE_ADMIN_LOGIN],
        );
        expect(adminPlans).toEqual([{ moduleName: 'ten-sales' }]);

        await page.click('#close-wizard');
        expect(await running).toMatchObject({ exitCode: 0, data: { outcome: { state: 'completed' } } });
      } finally {
        stop();
        await running.catch(() => undefined);
      }
    });
  });
});
