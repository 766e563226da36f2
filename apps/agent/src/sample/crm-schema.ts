import type { Column, ColumnDefault, ColumnType, IndexDefinition, TableSchema } from '@omt/contracts';
import { MAILBOX_TABLE } from '../catalog/crm-catalog';

/**
 * The tables of the sample onsite CRM: the ones domain.md lists (with the
 * columns the checks read) plus ordinary data, with SuperOffice's usual
 * bookkeeping columns. Names keep SuperOffice's mixed case.
 *
 * The structure is what a real installation declares (domain.md, "What a
 * real installation looks like"): a primary key, non-clustered indexes on
 * the foreign-key columns and search columns, unique indexes where the CRM
 * needs one value per row (a login, a group name), default constraints of
 * `0` on flags and counters, `''` on names and `getdate()` on `registered`.
 */

const int16: ColumnType = { kind: 'int16' };
const int32: ColumnType = { kind: 'int32' };
const int64: ColumnType = { kind: 'int64' };
const float64: ColumnType = { kind: 'float64' };
const bool: ColumnType = { kind: 'boolean' };
const date: ColumnType = { kind: 'date' };
const time: ColumnType = { kind: 'time' };
const timestamp: ColumnType = { kind: 'timestamp' };
const timestamptz: ColumnType = { kind: 'timestamptz' };
const uuid: ColumnType = { kind: 'uuid' };
const money: ColumnType = { kind: 'decimal', precision: 18, scale: 2 };
const text = (maxLength: number | null): ColumnType => ({ kind: 'text', maxLength });
/** char(n)/nchar(n): a code of fixed length (a currency). */
const code = (length: number): ColumnType => ({ kind: 'text', maxLength: length, fixed: true });
const binary: ColumnType = { kind: 'binary', maxLength: null };

type ColumnSpec = [name: string, type: ColumnType, nullable?: boolean];

const BOOKKEEPING: ColumnSpec[] = [
  ['registered', timestamp],
  ['registered_associate_id', int32],
  ['updated', timestamp, true],
  ['updated_associate_id', int32],
  ['updatedCount', int16],
];

const ZERO: ColumnDefault = { kind: 'literal', value: '0' };
const EMPTY: ColumnDefault = { kind: 'literal', value: '' };

/**
 * SuperOffice's default constraints, one rule for every table: `((0))` on
 * a NOT NULL number or flag, `('')` on a NOT NULL bounded string,
 * `(getdate())` on `registered`. Keys and unbounded text (a password hash,
 * a long description) have none; nullable columns default to NULL anyway.
 */
function defaultOf(name: string, type: ColumnType, nullable: boolean, isKey: boolean): ColumnDefault | null {
  if (isKey || nullable) return null;
  if (name === 'registered') return { kind: 'now' };
  switch (type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
    case 'decimal':
      return ZERO;
    case 'boolean':
      return { kind: 'literal', value: 'f' };
    case 'text':
      return type.maxLength !== null && !type.fixed ? EMPTY : null;
    default:
      return null;
  }
}

interface TableOptions {
  bookkeeping?: boolean;
  /** Indexes besides the primary key: `[name, columns]`; a column ending in ` DESC` is descending. */
  indexes?: Array<[name: string, columns: string[]]>;
  /** Unique constraints (`UNIQUE (…)`, SQL Server's sys.key_constraints type UQ). */
  unique?: Array<[name: string, columns: string[]]>;
  /** The key is an IDENTITY column (numbered by the database, not from `sequence`). */
  identity?: boolean;
}

function indexOf(name: string, columns: string[], unique: boolean): IndexDefinition {
  const keys = columns.map((c) => (c.endsWith(' DESC') ? { column: c.slice(0, -5), descending: true } : { column: c, descending: false }));
  return { name, unique, constraint: unique, keys, include: [], filter: [] };
}

function table(name: string, columns: ColumnSpec[], options: TableOptions = {}): TableSchema {
  const all = options.bookkeeping === false ? columns : [...columns, ...BOOKKEEPING];
  const cols: Column[] = all.map(([colName, type, nullable], i) => {
    const column: Column = { name: colName, type, nullable: nullable ?? false };
    const fallback = defaultOf(colName, type, column.nullable, i === 0);
    if (fallback) column.default = fallback;
    if (i === 0 && options.identity) column.identity = { generation: 'always', start: '1', increment: '1', next: null };
    return column;
  });
  const indexes = [
    ...(options.unique ?? []).map(([n, c]) => indexOf(n, c, true)),
    ...(options.indexes ?? []).map(([n, c]) => indexOf(n, c, false)),
  ];
  return { name, columns: cols, primaryKey: [cols[0]!.name], indexes, untranslated: [] };
}

export function crmTables(options: { customizations: boolean }): TableSchema[] {
  const tables = [
    table('sequence', [['sequence_id', int32], ['TableName', text(40)], ['next_id', int32]], { bookkeeping: false, unique: [['UQ_sequence_TableName', ['TableName']]] }),
    table('company', [
      ['company_id', int32],
      ['ownerContactName', text(255)],
      ['serialNo', text(40)],
      ['version', text(40)],
      ['revision', int32],
    ]),
    table('ProductVersion', [['ProductVersion_id', int32], ['ownerName', text(40)], ['codeName', text(40)], ['version', text(40)]]),
    table('contact', [
      ['contact_id', int32],
      ['name', text(254)],
      ['department', text(254)],
      ['orgNr', text(40), true],
      ['number1', text(40)],
      ['business_idx', int32],
      ['latitude', float64, true],
      ['longitude', float64, true],
      ['contactGuid', uuid],
      ['deleted', int16],
      ...(options.customizations ? ([['x_segment', text(60), true]] as ColumnSpec[]) : []),
    ], { indexes: [['IDX_contact_name', ['name']], ['IDX_contact_orgNr', ['orgNr']]] }),
    table('person', [
      ['person_id', int32],
      ['contact_id', int32],
      ['firstname', text(50)],
      ['middleName', text(50)],
      ['lastname', text(50)],
      ['title', text(254)],
      ['birthdate', date, true],
      ['retired', int16],
    ], { indexes: [['IDX_person_contact_id', ['contact_id']], ['IDX_person_lastname_firstname', ['lastname', 'firstname']]] }),
    table('associate', [
      ['associate_id', int32],
      ['name', text(20)],
      ['person_id', int32],
      ['type', int16],
      ['deleted', int16],
      ['group_idx', int32],
      ['ejuserId', int32],
      ['userName', text(254), true],
      ['lastlogin', timestamp, true],
    ], { unique: [['UQ_associate_name', ['name']]], indexes: [['IDX_associate_person_id', ['person_id']]] }),
    table('Email', [
      ['email_id', int32],
      ['person_id', int32],
      ['contact_id', int32],
      ['type', int16],
      ['email_address', text(254)],
      ['rank', int16],
      ['description', text(254)],
    ], { indexes: [['IDX_Email_person_id', ['person_id', 'rank']], ['IDX_Email_contact_id', ['contact_id']], ['IDX_Email_email_address', ['email_address']]] }),
    table('UserGroup', [['UserGroup_id', int32], ['name', text(40)], ['deleted', int16]], { unique: [['UQ_UserGroup_name', ['name']]] }),
    table('Role', [['role_id', int32], ['name', text(254)], ['deleted', int16]]),
    table('UserRoleLink', [['UserRoleLink_id', int32], ['associate_id', int32], ['role_id', int32]], { indexes: [['IDX_UserRoleLink_associate_id', ['associate_id']], ['IDX_UserRoleLink_role_id', ['role_id']]] }),
    table('FunctionRight', [['FunctionRight_id', int32], ['name', text(254)], ['description', text(254)]], { indexes: [['IDX_FunctionRight_name', ['name']]] }),
    table('FunctionRightRoleLink', [['FunctionRightRoleLink_id', int32], ['functionright_id', int32], ['role_id', int32]], { indexes: [['IDX_FunctionRightRoleLink_role_id', ['role_id', 'functionright_id']]] }),
    table('Credentials', [
      ['Credentials_id', int32],
      ['associateId', int32],
      ['credentialType', text(254)],
      ['searchName', text(254)],
      ['secret', text(null)],
      ['isActive', int16],
    ], { indexes: [['IDX_Credentials_associateId', ['associateId']], ['IDX_Credentials_searchName', ['searchName']]] }),
    table('ModuleOwner', [['ModuleOwner_id', int32], ['ownerName', text(254)], ['description', text(254)]]),
    table('ModuleLicense', [
      ['ModuleLicense_id', int32],
      ['moduleOwnerId', int32],
      ['moduleName', text(254)],
      ['moduleDescription', text(254)],
      ['extraFlags', int32],
      ['extraInfo', text(254)],
      ['licenseType', int32],
      ['licenseNumber', int32],
    ], { indexes: [['IDX_ModuleLicense_moduleOwnerId', ['moduleOwnerId']], ['IDX_ModuleLicense_moduleName', ['moduleName']]] }),
    table('LicenseAssocLink', [['LicenseAssocLink_id', int32], ['moduleLicenseId', int32], ['assocId', int32]], { indexes: [['IDX_LicenseAssocLink_assocId', ['assocId']], ['IDX_LicenseAssocLink_moduleLicenseId', ['moduleLicenseId']]] }),
    table('traveller', [['traveller_id', int32], ['travel_id', int32], ['generatedtime', timestamp]], { bookkeeping: false, indexes: [['IDX_traveller_travel_id', ['travel_id']]] }),
    table('travelcurrent', [['travelcurrent_id', int32], ['systemlevel', int16], ['current_id', int32]], { bookkeeping: false }),
    table('area', [['area_id', int32], ['name', text(254)], ['deleted', int16]]),
    table('satellite', [['satellite_id', int32], ['area_id', int32], ['name', text(254)], ['deleted', int16]], { indexes: [['IDX_satellite_area_id', ['area_id']]] }),
    table('UserPreference', [
      ['userpreference_id', int32],
      ['associate_id', int32],
      ['level', int16],
      ['prefsection', text(254)],
      ['prefkey', text(254)],
      ['prefvalue', text(2000)],
    ], { identity: true, indexes: [['IDX_UserPreference_associate_id', ['associate_id']], ['IDX_UserPreference_prefsection', ['prefsection', 'prefkey']]] }),
    table('SystemEvent', [['SystemEvent_id', int32], ['eventkey', text(254)], ['eventmess', text(2000)], ['eventtime', timestamptz]], { bookkeeping: false, indexes: [['IDX_SystemEvent_eventkey', ['eventkey']]] }),
    table('appointment', [
      ['appointment_id', int32],
      ['associate_id', int32],
      ['contact_id', int32],
      ['person_id', int32],
      ['document_id', int32],
      ['type', int16],
      ['do_by', timestamp],
      ['endDate', timestamp],
      ['alarm_time', time, true],
      ['status', int16],
      ['description', text(null)],
    ], { indexes: [['IDX_appointment_associate_id_do_by', ['associate_id', 'do_by DESC']], ['IDX_appointment_contact_id', ['contact_id']], ['IDX_appointment_person_id', ['person_id']], ['IDX_appointment_document_id', ['document_id']], ['IDX_appointment_do_by', ['do_by']]] }),
    table('document', [
      ['document_id', int32],
      ['name', text(511)],
      ['header', text(254)],
      ['archiveProvider', int32],
      ['appointment_id', int32],
      ['ourref', text(254)],
      ['yourref', text(254)],
    ], { indexes: [['IDX_document_appointment_id', ['appointment_id']], ['IDX_document_name', ['name']]] }),
    table('sale', [
      ['sale_id', int32],
      ['associate_id', int32],
      ['contact_id', int32],
      ['person_id', int32],
      ['heading', text(254)],
      ['amount', money],
      ['earning', money],
      ['probability', int16],
      ['saledate', date],
      ['status', int16],
      ['currency', code(3)],
    ], { indexes: [['IDX_sale_associate_id', ['associate_id']], ['IDX_sale_contact_id', ['contact_id']], ['IDX_sale_person_id', ['person_id']]] }),
    table('project', [
      ['project_id', int32],
      ['associate_id', int32],
      ['name', text(254)],
      ['project_number', text(40)],
      ['done', bool],
      ['endDate', date, true],
    ], { indexes: [['IDX_project_associate_id', ['associate_id']], ['IDX_project_name', ['name']]] }),
    table('VisibleFor', [
      ['VisibleFor_id', int32],
      ['tableId', int16],
      ['recordId', int32],
      ['visibility', int16],
      ['groupOrAssocId', int32],
    ], { indexes: [['IDX_VisibleFor_record', ['tableId', 'recordId']]] }),
    table('ejuser', [['ejuser_id', int32], ['username', text(254)], ['status', int16], ['lastAccess', timestamp, true]], { indexes: [['IDX_ejuser_username', ['username']]] }),
    table(MAILBOX_TABLE, [['ej_mailbox_id', int32], ['address', text(254)], ['description', text(254)], ['deleted', int16]]),
    table('BinaryObject', [['BinaryObject_id', int32], ['mimeType', text(254)], ['description', text(254)], ['binaryData', binary], ['sizeBytes', int64]]),
  ];
  if (options.customizations) {
    tables.push(table('y_equipment', [['id', int32], ['x_serial', text(60)], ['x_installed', date, true]], { bookkeeping: false, identity: true }));
  }
  return tables;
}
