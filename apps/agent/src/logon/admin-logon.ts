import { OmtError } from '@omt/contracts';
import type { CrmCatalog } from '../catalog/crm-catalog';
import { ADMIN_RIGHTS, rightsOf } from '../checks/user-facts';
import { CRM_PASSWORD_CREDENTIAL_TYPE, verifyCrmPassword } from './crm-password';

export interface AdminSession {
  associateId: number;
  login: string;
  /** The administrator rights the user holds (`admin-all`, `admin-users`). */
  rights: string[];
}

/** Where the password of a command-line run comes from, for the refusal's advice. */
export const CLI_PASSWORD_SOURCE = '--password or the OMT_CRM_PASSWORD environment variable';

/**
 * The migrator logs on as a CRM administrator: the user must exist and be
 * active, the password must match an active CRM5/PASSWORD credential, and the
 * user's role must hold admin-all or admin-users. Anything else is refused
 * with the reason (a wrong password and an unknown user read the same, so the
 * message does not confirm which logins exist) and what to do: which login
 * was tried, that it must be a CRM administrator, and where the password came
 * from (`passwordFrom`: the command line's flag and variable, or the wizard's form).
 */
export function logOnAsAdministrator(
  catalog: CrmCatalog,
  login: string,
  password: string,
  passwordFrom = 'the logon form',
): AdminSession {
  const wanted = login.trim().toLowerCase();
  const user = catalog.users.find((u) => u.login.toLowerCase() === wanted);
  const administrator = 'Log on as a CRM administrator (a user whose role holds the admin-all or admin-users right)';
  const badCredentials = () =>
    new OmtError(
      'ADMIN_LOGON_REFUSED',
      `Logon refused: unknown user or wrong password for '${login}'. ${administrator}, with that user's CRM password; the password was taken from ${passwordFrom}.`,
    );
  if (!user || !password) throw badCredentials();
  if (user.retired || user.type !== 0) {
    throw new OmtError(
      'ADMIN_LOGON_REFUSED',
      `Logon refused: user '${user.login}' is retired or not an employee. ${administrator}.`,
    );
  }
  const credentials = catalog.credentials.filter(
    (c) => c.associateId === user.associateId && c.active && c.type.toUpperCase() === CRM_PASSWORD_CREDENTIAL_TYPE,
  );
  if (!credentials.some((c) => verifyCrmPassword(password, c.secret))) throw badCredentials();
  const rights = rightsOf(catalog, user.associateId);
  const held = ADMIN_RIGHTS.filter((r) => rights.has(r));
  if (held.length === 0) {
    throw new OmtError(
      'ADMIN_LOGON_REFUSED',
      `Logon refused: user '${user.login}' is not an administrator (needs the admin-all or admin-users right). ${administrator}.`,
    );
  }
  return { associateId: user.associateId, login: user.login, rights: held };
}
