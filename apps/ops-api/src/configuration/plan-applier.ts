import type { PoolClient } from 'pg';
import type { MigrationPlan } from '@omt/contracts';
import { quoteTenantPg } from '@omt/copy-text';
import { PermanentImportError, toJobError } from '../queues/job-errors';
import { checkOut, type TenantDatabase } from '../tenants/tenant-database';
import { CRM_SEQUENCE_TABLE, USER_PLAN_FLAG, neutralValueSql, resolveCrmTable, resolveCrmTables, type CrmTables } from './crm-tables';

export interface PlanApplied {
  /** Users now linked to a user plan. */
  usersWithPlan: number;
  /** User-plan links removed (other plans, or users left without one). */
  linksRemoved: number;
  /** Email rows of other persons that held a chosen login email. */
  emailsRemoved: number;
}

/**
 * Applies the migration plan in the tenant database, all of it or nothing
 * (one transaction): each user's user plan as its licence link, the chosen
 * login email as `associate.userName`, and that address taken off every
 * other person's card. Idempotent: applying it again changes nothing.
 */
export async function applyPlan(tenant: TenantDatabase, plan: MigrationPlan): Promise<PlanApplied> {
  const tables = await tenant.tables();
  const crm = resolveCrmTables(tenant.schema, tables);
  const sequence = resolveCrmTable(tenant.schema, tables, CRM_SEQUENCE_TABLE).table;
  const { client, release } = await checkOut(tenant.pool);
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await applyInTransaction(client, crm, plan);
    if (sequence && result.lastLinkId !== null) {
      // SuperOffice takes new ids from `sequence`: keep its next id past the links added here.
      const { sql, col } = sequence;
      await client.query(
        `UPDATE ${sql} SET ${col.nextId} = GREATEST(${col.nextId}, $2) WHERE lower(${col.tableName}) = lower($1)`,
        [crm.licenseAssocLink.name, result.lastLinkId + 1],
      );
    }
    await client.query('COMMIT');
    return result.applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw toJobError(error, 'Applying the migration plan in the tenant');
  } finally {
    release(broken);
  }
}

async function applyInTransaction(
  client: PoolClient,
  crm: CrmTables,
  plan: MigrationPlan,
): Promise<{ applied: PlanApplied; lastLinkId: number | null }> {
  const { associate, email, moduleLicense: licence, licenseAssocLink: link } = crm;
  const planRows = await client.query<{ id: number; name: string }>(
    `SELECT ${licence.col.id} AS id, ${licence.col.moduleName} AS name FROM ${licence.sql} WHERE ${licence.col.extraFlags} = $1`,
    [USER_PLAN_FLAG],
  );
  const planIds = new Map(planRows.rows.map((r) => [r.name, r.id]));
  const allPlanIds = [...planIds.values()];

  // New link ids follow the largest one; the lock keeps a concurrent writer from taking the same.
  await client.query(`LOCK TABLE ${link.sql} IN SHARE ROW EXCLUSIVE MODE`);
  const max = await client.query<{ max: number | null }>(`SELECT max(${link.col.id}) AS max FROM ${link.sql}`);
  let nextLinkId = (max.rows[0]?.max ?? 0) + 1;
  let lastLinkId: number | null = null;
  const linkInsert = linkInsertSql(link);

  const applied: PlanApplied = { usersWithPlan: 0, linksRemoved: 0, emailsRemoved: 0 };
  for (const user of plan.users) {
    const wanted = user.plan === null ? null : planIds.get(user.plan);
    if (wanted === undefined) {
      throw new PermanentImportError(
        'PLAN_INVALID',
        `User '${user.login}' has plan '${user.plan}', which is not a user plan (ModuleLicense with extraFlags ${USER_PLAN_FLAG}) in the tenant.`,
      );
    }
    const person = await client.query<{ personId: number | null }>(
      `SELECT ${associate.col.personId} AS "personId" FROM ${associate.sql} WHERE ${associate.col.id} = $1`,
      [user.associateId],
    );
    if (!person.rows[0]) {
      throw new PermanentImportError('PLAN_INVALID', `User '${user.login}' (associate ${user.associateId}) is not in the tenant's ${associate.name} table.`);
    }
    const removed = await client.query(
      `DELETE FROM ${link.sql} WHERE ${link.col.associateId} = $1 AND ${link.col.licenseId} = ANY($2::int[]) AND ${link.col.licenseId} IS DISTINCT FROM $3`,
      [user.associateId, allPlanIds, wanted],
    );
    applied.linksRemoved += removed.rowCount ?? 0;
    if (wanted === null) continue;

    applied.usersWithPlan += 1;
    const added = await client.query(linkInsert, [nextLinkId, wanted, user.associateId]);
    if (added.rowCount) lastLinkId = nextLinkId++;

    const loginEmail = (user.loginEmail ?? '').trim();
    if (loginEmail === '') continue;
    await client.query(`UPDATE ${associate.sql} SET ${associate.col.userName} = $2 WHERE ${associate.col.id} = $1`, [
      user.associateId,
      loginEmail,
    ]);
    // Another person's card with the same address (any case): taken off. The
    // user's own rows stay, and so do a company's (person 0: no person).
    const emails = await client.query(
      `DELETE FROM ${email.sql} WHERE lower(btrim(${email.col.address})) = lower($1)
         AND ${email.col.personId} IS DISTINCT FROM $2 AND ${email.col.personId} <> 0`,
      [loginEmail, person.rows[0].personId],
    );
    applied.emailsRemoved += emails.rowCount ?? 0;
  }
  return { applied, lastLinkId };
}

/** Inserts a link unless the user already has it; other NOT NULL columns get neutral values. */
function linkInsertSql(link: CrmTables['licenseAssocLink']): string {
  const own = new Set([link.col.id, link.col.licenseId, link.col.associateId]);
  const filled = link.schema.columns.filter((c) => !c.nullable && !own.has(quoteTenantPg(c.name)));
  const columns = [link.col.id, link.col.licenseId, link.col.associateId, ...filled.map((c) => quoteTenantPg(c.name))];
  const values = ['$1::int', '$2::int', '$3::int', ...filled.map(neutralValueSql)];
  return `INSERT INTO ${link.sql} (${columns.join(', ')})
    SELECT ${values.join(', ')}
    WHERE NOT EXISTS (SELECT 1 FROM ${link.sql} WHERE ${link.col.licenseId} = $2 AND ${link.col.associateId} = $3)`;
}
