import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { queryDatabase } from '../support/databases';
import { SAMPLE_ADMIN_LOGIN, SAMPLE_SALES_LOGIN } from '../../apps/agent/src/sample/sample-users';
import { AGENT_BIN, PipelineStack, runNode, tenantUrl } from './support/pipeline-stack';
import {
  AGENT_ENV,
  createSampleSource,
  explain,
  migrateArgs,
  planInitArgs,
  ticketState,
  type SampleSource,
} from './support/agent-run';

/**
 * Issue 14, the seed's path on the command line: an installation where two
 * users share a login email and no administrator has a user plan. `check`
 * says the plan fixes both, the migrator fixes them in plan.json, `plan
 * validate` passes, `migrate --plan` uploads, and the tenant holds what the
 * plan chose (read with SQL, not through the product). Real API, worker and
 * agent processes; real PostgreSQL and Redis.
 */
jest.setTimeout(300_000);

let sample: SampleSource;

beforeAll(async () => {
  // duplicate-emails: MG's only address is JD's, upper-cased. no-licensed-admin: ADMIN and UA hold no user plan.
  sample = await createSampleSource('plan_checks', { seed: 31, problems: ['duplicate-emails', 'no-licensed-admin'] });
});

afterAll(async () => {
  await sample?.drop();
});

interface PlanFile {
  users: Array<{ associateId: number; login: string; plan: string | null; loginEmail: string | null }>;
}

/** The person card's addresses of a user, in rank order, straight from a CRM database. */
async function cardAddresses(url: string, login: string): Promise<string[]> {
  const rows = await queryDatabase(
    url,
    `SELECT e.email_address FROM crm7."Email" e JOIN crm7.associate a ON a.person_id = e.person_id
      WHERE a.name = $1 ORDER BY e.rank, e.email_id`,
    [login],
  );
  return rows.map((r) => String(r.email_address));
}

it('fixes shared login emails and an administrator without a plan in plan.json, and migrates what the plan chose', async () => {
  const stack = await PipelineStack.create('plan_checks');
  try {
    await stack.start('dev');
    const ticket = await stack.createTicket(await stack.createSalesKey());
    const onsite = ['--source', sample.db.url];

    // The checks name both findings as fixed in the plan, not onsite: nothing else blocks.
    const check = await runNode(
      [AGENT_BIN, 'check', ...onsite, '--archive', sample.archive, '--user', SAMPLE_ADMIN_LOGIN],
      AGENT_ENV,
    );
    expect(check.code).toBe(2);
    expect(check.stdout).toMatch(/PLAN {2}Login emails are unique \[user-email-duplicate\]/);
    expect(check.stdout).toMatch(/PLAN {2}An administrator has a user plan \[admin-without-plan\]/);
    expect(check.stdout).not.toMatch(/^ {2}BLOCK/m);
    expect(check.stdout).toContain("fixed in the plan: give users 'JD' and 'MG' login emails of their own");
    const checkJson = await runNode([AGENT_BIN, 'check', ...onsite, '--user', SAMPLE_ADMIN_LOGIN, '--json'], AGENT_ENV);
    const checked = JSON.parse(checkJson.stdout) as {
      fixedInPlan: Array<{ id: string }>;
      report: { blocked: boolean };
    };
    expect(checked.report.blocked).toBe(true);
    expect(checked.fixedInPlan.map((f) => f.id)).toEqual(['user-email-duplicate', 'admin-without-plan']);

    // The starting plan repeats both problems: plan validate says so.
    const planFile = path.join(sample.dir, 'plan.json');
    expect((await runNode(planInitArgs(sample.db.url, planFile), AGENT_ENV)).code).toBe(0);
    const before = await runNode([AGENT_BIN, 'plan', 'validate', '--plan', planFile, ...onsite], AGENT_ENV);
    expect(before.code).toBe(2);
    expect(before.stdout).toContain('Leaves the check finding: Login emails are unique [user-email-duplicate]');
    expect(before.stdout).toContain('Leaves the check finding: An administrator has a user plan [admin-without-plan]');

    // What a migrator does in plan.json: MG gets an address of their own, ADMIN a plan with the address on their card.
    const [jdAddress] = await cardAddresses(sample.db.url, SAMPLE_SALES_LOGIN);
    const [adminAddress] = await cardAddresses(sample.db.url, SAMPLE_ADMIN_LOGIN);
    expect(await cardAddresses(sample.db.url, 'MG')).toEqual([jdAddress!.toUpperCase()]);
    const plan = JSON.parse(await readFile(planFile, 'utf8')) as PlanFile;
    const row = (login: string) => plan.users.find((u) => u.login === login)!;
    expect(row('MG').loginEmail).toBe(jdAddress!.toUpperCase());
    expect(row(SAMPLE_ADMIN_LOGIN).plan).toBeNull();
    row('MG').loginEmail = 'magnus.mg@nordlys.example';
    row(SAMPLE_ADMIN_LOGIN).plan = 'ten-sales';
    row(SAMPLE_ADMIN_LOGIN).loginEmail = adminAddress!;
    await writeFile(planFile, JSON.stringify(plan, null, 2));

    const validate = await runNode([AGENT_BIN, 'plan', 'validate', '--plan', planFile, ...onsite, '--json'], AGENT_ENV);
    expect(validate.code).toBe(0);
    expect(JSON.parse(validate.stdout)).toMatchObject({
      valid: true,
      issues: [],
      findings: [
        { id: 'user-email-duplicate', resolved: true },
        { id: 'admin-without-plan', resolved: true },
      ],
    });

    const run = await runNode(
      migrateArgs(
        stack.url,
        ticket.code,
        { url: sample.db.url, archive: sample.archive },
        { stateDir: path.join(sample.dir, 'state'), plan: planFile },
      ),
      AGENT_ENV,
    );
    if (run.code !== 0) throw new Error(await explain(stack, run));
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'completed', verified: true, mode: 'initial' });
    expect(await ticketState(stack, ticket.ticketId)).toBe('completed');

    // The tenant, read with SQL: the login emails and plans the plan chose.
    const tenant = tenantUrl(ticket.tenantDatabase);
    const userNames = new Map(
      (await queryDatabase(tenant, 'SELECT name, "userName" FROM crm7.associate')).map((r) => [r.name, r.userName]),
    );
    expect(userNames.get('MG')).toBe('magnus.mg@nordlys.example');
    expect(userNames.get(SAMPLE_SALES_LOGIN)).toBe(jdAddress);
    expect(userNames.get(SAMPLE_ADMIN_LOGIN)).toBe(adminAddress);
    // JD logs in with the shared address, so it is taken off MG's card; JD keeps it. Onsite nothing changed.
    expect(await cardAddresses(tenant, 'MG')).toEqual([]);
    expect(await cardAddresses(tenant, SAMPLE_SALES_LOGIN)).toContain(jdAddress);
    expect(await cardAddresses(sample.db.url, 'MG')).toEqual([jdAddress!.toUpperCase()]);
    const plans = await queryDatabase(
      tenant,
      `SELECT a.name, m."moduleName" FROM crm7."LicenseAssocLink" l
         JOIN crm7."ModuleLicense" m ON m."ModuleLicense_id" = l."moduleLicenseId" AND m."extraFlags" = 1
         JOIN crm7.associate a ON a.associate_id = l."assocId"
        WHERE a.name IN ($1, $2, $3) ORDER BY a.name`,
      [SAMPLE_ADMIN_LOGIN, 'UA', 'MG'],
    );
    expect(plans).toEqual([
      { name: SAMPLE_ADMIN_LOGIN, moduleName: 'ten-sales' },
      { name: 'MG', moduleName: 'ten-marketing' },
    ]);
  } finally {
    await stack.close();
  }
});
