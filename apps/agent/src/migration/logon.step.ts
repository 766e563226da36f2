import type { CrmCatalog } from '../catalog/crm-catalog';
import { logOnAsAdministrator, type AdminSession } from '../logon/admin-logon';
import type { MigrateOptions, MigrateUi } from './migrate-options';

/** Logs on as the CRM administrator the migrator named: a refused logon stops the run before anything is sent. */
export function logOn(catalog: CrmCatalog, options: MigrateOptions, ui: MigrateUi): AdminSession {
  const admin = logOnAsAdministrator(catalog, options.user, options.password, options.passwordFrom);
  ui.say(`Logged on to the onsite database as ${admin.login} (${admin.rights.join(', ')}).`);
  return admin;
}
