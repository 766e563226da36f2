import type { AgentSession, MigrationState } from '@omt/contracts';
import { assertNoTenantNameCollision } from '@omt/copy-text';
import type { AgentApiClient } from '../api/agent-api-client';
import { readCrmCatalog, type CrmCatalog } from '../catalog/crm-catalog';
import { withOnsiteFreeze } from '../source/onsite-freeze';
import type { SourceConnector } from '../source/source-connector';
import { tableSchemaOf } from '../source/table-schema';
import type { DocumentPhaseResult } from '../upload/document-phase';
import type { PlannedTable } from '../upload/upload-tables';
import { scan } from './archive.step';
import { sendChecks } from './checks.step';
import { confirmUpload } from './confirm.step';
import { leftToSend } from './left-to-send';
import { logOn } from './logon.step';
import { documentPhaseOf, type MigrateOptions, type MigrateUi } from './migrate-options';
import { sendPlan } from './plan.step';
import { transfer, type TablesSummary } from './transfer.step';

/** States before the first upload starts: the checks and the plan can still change. */
const BEFORE_UPLOAD: readonly MigrationState[] = ['created', 'enrolled', 'checks_failed', 'ready'];

/** The database and documents of an initial upload or a resume, then upload/complete. */
export async function upload(
  api: AgentApiClient,
  agentToken: string,
  session: AgentSession,
  source: SourceConnector,
  options: MigrateOptions,
  ui: MigrateUi,
): Promise<{ tables: TablesSummary; documents: DocumentPhaseResult | null }> {
  const catalog = await readCrmCatalog(source);
  // Before anything is sent: names PostgreSQL cannot hold apart would stop the import half way.
  assertNoTenantNameCollision(catalog.tables);
  logOn(catalog, options, ui);
  const archive = await scan(catalog, options, ui);

  // Checks and plan are decided before the upload; a resume keeps what the API holds (unless a new --plan is given).
  const beforeUpload = BEFORE_UPLOAD.includes(session.ticket.state);
  const report = beforeUpload ? await sendChecks(api, catalog, archive, ui) : null;
  if (beforeUpload || options.planFile) await sendPlan(api, source, catalog, report, options, ui);

  const tables = await plannedTables(source, catalog);
  const documentsPlanned = documentPhaseOf(options).planned(archive);
  // What the API holds from an earlier run is not asked about nor announced again.
  const left = leftToSend(session.manifest, tables, archive);
  await confirmUpload(session.ticket, left, options, ui);

  if (session.ticket.kind === 'live')
    ui.say('Live migration: logins to the onsite CRM are blocked until the migration has finished.');
  // The final upload of a live migration runs with the onsite CRM frozen; the freeze is lifted if the upload fails.
  return withOnsiteFreeze(source, session.ticket.kind, () =>
    transfer(api, agentToken, session, source, { tables, archive, documentsPlanned, left }, options, ui),
  );
}

/** Every table of the catalog with its row count at the source: what StartUpload announces. */
async function plannedTables(source: SourceConnector, catalog: CrmCatalog): Promise<PlannedTable[]> {
  const schemas = catalog.tables.map(tableSchemaOf);
  const planned: PlannedTable[] = [];
  // A few counts at a time: each is a scan of the table at the source.
  for (let i = 0; i < schemas.length; i += 4) {
    const chunk = schemas.slice(i, i + 4);
    planned.push(
      ...(await Promise.all(chunk.map(async (schema) => ({ schema, rows: await source.countRows(schema.name) })))),
    );
  }
  return planned;
}
