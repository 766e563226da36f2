import type { IntrospectedTable, RowQuery, SourceConnector, SourceRow } from '../source/source-connector';
import { findTable } from '../source/table-schema';

/**
 * What the checks, the administrator logon and the archive scan read from the
 * onsite database, as plain values. Reading is tolerant: a table an older
 * version lacks reads as empty, a missing column as null, and names match
 * ignoring case (SQL Server's default collation does).
 */
export interface CatalogUser {
  associateId: number;
  login: string;
  personId: number;
  type: number;
  retired: boolean;
  userName: string | null;
}

export interface CrmCatalog {
  tables: IntrospectedTable[];
  companyVersion: string | null;
  productVersions: Array<{ ownerName: string; codeName: string; version: string }>;
  users: CatalogUser[];
  /** The addresses on the users' own person cards (not every customer contact's). */
  emails: Array<{ personId: number; address: string; rank: number }>;
  roleLinks: Array<{ associateId: number; roleId: number }>;
  roleRights: Array<{ roleId: number; right: string }>;
  licences: Array<{ id: number; moduleName: string; description: string; isPlan: boolean }>;
  licenceLinks: Array<{ licenceId: number; associateId: number }>;
  credentials: Array<{ associateId: number; type: string; secret: string; active: boolean }>;
  travellers: number[];
  satellites: Array<{ id: number; name: string; areaId: number; deleted: boolean }>;
  areas: Array<{ id: number; name: string; deleted: boolean }>;
  sentryPreferences: Array<{ associateId: number; key: string }>;
  mailboxes: Array<{ address: string; deleted: boolean }>;
  documents: Array<{ documentId: number; name: string; appointmentId: number; registered: string | null }>;
  documentAppointments: Array<{ appointmentId: number; associateId: number; documentId: number }>;
}

export const SENTRY_PREFERENCE_SECTION = 'SentryAddonNames';

/** The table that holds Customer Service mailboxes (domain.md does not name one; the sample creates it). */
export const MAILBOX_TABLE = 'ej_mailbox';

export async function readCrmCatalog(source: SourceConnector, tables?: IntrospectedTable[]): Promise<CrmCatalog> {
  const all = tables ?? (await source.introspect());
  const read = (table: string, columns: string[], where?: RowQuery['where']) =>
    readRows(source, all, table, columns, where);
  const [
    company,
    productVersions,
    associates,
    roleLinks,
    rights,
    rightLinks,
    licences,
    licenceLinks,
    credentials,
    travellers,
    satellites,
    areas,
    sentry,
    mailboxes,
    documents,
    documentAppointments,
  ] = await Promise.all([
    read('company', ['version']),
    read('ProductVersion', ['ownerName', 'codeName', 'version']),
    read('associate', ['associate_id', 'name', 'person_id', 'type', 'deleted', 'userName']),
    read('UserRoleLink', ['associate_id', 'role_id']),
    read('FunctionRight', ['FunctionRight_id', 'name']),
    read('FunctionRightRoleLink', ['functionright_id', 'role_id']),
    read('ModuleLicense', ['ModuleLicense_id', 'moduleName', 'moduleDescription', 'extraFlags']),
    read('LicenseAssocLink', ['moduleLicenseId', 'assocId']),
    read('Credentials', ['associateId', 'credentialType', 'secret', 'isActive']),
    read('traveller', ['travel_id']),
    read('satellite', ['satellite_id', 'name', 'area_id', 'deleted']),
    read('area', ['area_id', 'name', 'deleted']),
    read('UserPreference', ['associate_id', 'prefkey'], {
      column: 'prefsection',
      op: '=',
      value: SENTRY_PREFERENCE_SECTION,
    }),
    read(MAILBOX_TABLE, ['address', 'deleted']),
    read('document', ['document_id', 'name', 'appointment_id', 'registered']),
    read('appointment', ['appointment_id', 'associate_id', 'document_id'], {
      column: 'document_id',
      op: '<>',
      value: 0,
    }),
  ]);
  const emails = await readUserEmails(
    read,
    associates.map((r) => num(r.person_id)),
  );
  const rightNames = new Map(rights.map((r) => [num(r.FunctionRight_id), str(r.name)]));
  return {
    tables: all,
    companyVersion: company[0]?.version == null ? null : str(company[0].version),
    productVersions: productVersions.map((r) => ({
      ownerName: str(r.ownerName),
      codeName: str(r.codeName),
      version: str(r.version),
    })),
    users: associates.map((r) => ({
      associateId: num(r.associate_id),
      login: str(r.name),
      personId: num(r.person_id),
      type: num(r.type),
      retired: num(r.deleted) !== 0,
      userName: r.userName == null ? null : str(r.userName),
    })),
    emails: emails.map((r) => ({ personId: num(r.person_id), address: str(r.email_address), rank: num(r.rank) })),
    roleLinks: roleLinks.map((r) => ({ associateId: num(r.associate_id), roleId: num(r.role_id) })),
    roleRights: rightLinks.map((r) => ({
      roleId: num(r.role_id),
      right: rightNames.get(num(r.functionright_id)) ?? '',
    })),
    licences: licences.map((r) => ({
      id: num(r.ModuleLicense_id),
      moduleName: str(r.moduleName),
      description: str(r.moduleDescription),
      // extraFlags bit 1 marks a user plan.
      isPlan: (num(r.extraFlags) & 1) === 1,
    })),
    licenceLinks: licenceLinks.map((r) => ({ licenceId: num(r.moduleLicenseId), associateId: num(r.assocId) })),
    credentials: credentials.map((r) => ({
      associateId: num(r.associateId),
      type: str(r.credentialType),
      secret: str(r.secret),
      active: num(r.isActive) !== 0,
    })),
    travellers: travellers.map((r) => num(r.travel_id)),
    satellites: satellites.map((r) => ({
      id: num(r.satellite_id),
      name: str(r.name),
      areaId: num(r.area_id),
      deleted: num(r.deleted) !== 0,
    })),
    areas: areas.map((r) => ({ id: num(r.area_id), name: str(r.name), deleted: num(r.deleted) !== 0 })),
    sentryPreferences: sentry.map((r) => ({ associateId: num(r.associate_id), key: str(r.prefkey) })),
    mailboxes: mailboxes.map((r) => ({ address: str(r.address), deleted: num(r.deleted) !== 0 })),
    documents: documents.map((r) => ({
      documentId: num(r.document_id),
      name: str(r.name),
      appointmentId: num(r.appointment_id),
      registered: r.registered == null ? null : temporalText(r.registered),
    })),
    documentAppointments: documentAppointments.map((r) => ({
      appointmentId: num(r.appointment_id),
      associateId: num(r.associate_id),
      documentId: num(r.document_id),
    })),
  };
}

const USER_READS_AT_ONCE = 8;

/**
 * The Email rows of the users' persons, a few small reads at a time: the
 * table also holds every customer contact's addresses (a million rows in a
 * large CRM), which held in memory at once cost the agent hundreds of MB.
 */
async function readUserEmails(
  read: (table: string, columns: string[], where?: RowQuery['where']) => Promise<SourceRow[]>,
  personIds: number[],
): Promise<SourceRow[]> {
  const distinct = [...new Set(personIds)].filter((id) => id !== 0);
  const rows: SourceRow[] = [];
  for (let i = 0; i < distinct.length; i += USER_READS_AT_ONCE) {
    const chunk = distinct.slice(i, i + USER_READS_AT_ONCE);
    const chunkRows = await Promise.all(
      chunk.map((id) =>
        read('Email', ['person_id', 'email_address', 'rank'], { column: 'person_id', op: '=', value: id }),
      ),
    );
    rows.push(...chunkRows.flat());
  }
  return rows;
}

/** Rows keyed by the requested names, whatever case the database uses; missing columns read as null. */
async function readRows(
  source: SourceConnector,
  tables: IntrospectedTable[],
  tableName: string,
  columns: string[],
  where?: RowQuery['where'],
): Promise<SourceRow[]> {
  const table = findTable(tables, tableName);
  if (!table) return [];
  const actual = columns.map((c) => findTable(table.columns, c)?.name);
  const present = actual.filter((c): c is string => c !== undefined);
  if (present.length === 0) return [];
  let filter = where;
  if (where) {
    const column = findTable(table.columns, where.column)?.name;
    if (!column) return where.op === '=' ? [] : readRows(source, tables, tableName, columns);
    filter = { ...where, column };
  }
  const rows = await source.selectRows({ table: table.name, columns: present, ...(filter ? { where: filter } : {}) });
  return rows.map((row) =>
    Object.fromEntries(columns.map((c, i) => [c, actual[i] === undefined ? null : row[actual[i]!]])),
  );
}

function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === null || value === undefined || value === '') return 0;
  return Number(value);
}

function str(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

function temporalText(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
