import type { Column, ColumnType, TableSchema } from '@omt/contracts';
import { MAILBOX_TABLE } from '../catalog/crm-catalog';

/**
 * The tables of the sample onsite CRM: the ones domain.md lists (with the
 * columns the checks read) plus ordinary data, with SuperOffice's usual
 * bookkeeping columns. Names keep SuperOffice's mixed case.
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
const binary: ColumnType = { kind: 'binary', maxLength: null };

type ColumnSpec = [name: string, type: ColumnType, nullable?: boolean];

const BOOKKEEPING: ColumnSpec[] = [
  ['registered', timestamp],
  ['registered_associate_id', int32],
  ['updated', timestamp, true],
  ['updated_associate_id', int32],
  ['updatedCount', int16],
];

function table(name: string, columns: ColumnSpec[], options: { bookkeeping?: boolean } = {}): TableSchema {
  const all = options.bookkeeping === false ? columns : [...columns, ...BOOKKEEPING];
  const cols: Column[] = all.map(([colName, type, nullable]) => ({ name: colName, type, nullable: nullable ?? false }));
  return { name, columns: cols, primaryKey: [cols[0]!.name] };
}

export function crmTables(options: { customizations: boolean }): TableSchema[] {
  const tables = [
    table('sequence', [['sequence_id', int32], ['TableName', text(40)], ['next_id', int32]], { bookkeeping: false }),
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
    ]),
    table('person', [
      ['person_id', int32],
      ['contact_id', int32],
      ['firstname', text(50)],
      ['middleName', text(50)],
      ['lastname', text(50)],
      ['title', text(254)],
      ['birthdate', date, true],
      ['retired', int16],
    ]),
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
    ]),
    table('Email', [
      ['email_id', int32],
      ['person_id', int32],
      ['contact_id', int32],
      ['type', int16],
      ['email_address', text(254)],
      ['rank', int16],
      ['description', text(254)],
    ]),
    table('UserGroup', [['UserGroup_id', int32], ['name', text(40)], ['deleted', int16]]),
    table('Role', [['role_id', int32], ['name', text(254)], ['deleted', int16]]),
    table('UserRoleLink', [['UserRoleLink_id', int32], ['associate_id', int32], ['role_id', int32]]),
    table('FunctionRight', [['FunctionRight_id', int32], ['name', text(254)], ['description', text(254)]]),
    table('FunctionRightRoleLink', [['FunctionRightRoleLink_id', int32], ['functionright_id', int32], ['role_id', int32]]),
    table('Credentials', [
      ['Credentials_id', int32],
      ['associateId', int32],
      ['credentialType', text(254)],
      ['searchName', text(254)],
      ['secret', text(null)],
      ['isActive', int16],
    ]),
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
    ]),
    table('LicenseAssocLink', [['LicenseAssocLink_id', int32], ['moduleLicenseId', int32], ['assocId', int32]]),
    table('traveller', [['traveller_id', int32], ['travel_id', int32], ['generatedtime', timestamp]], { bookkeeping: false }),
    table('travelcurrent', [['travelcurrent_id', int32], ['systemlevel', int16], ['current_id', int32]], { bookkeeping: false }),
    table('area', [['area_id', int32], ['name', text(254)], ['deleted', int16]]),
    table('satellite', [['satellite_id', int32], ['area_id', int32], ['name', text(254)], ['deleted', int16]]),
    table('UserPreference', [
      ['userpreference_id', int32],
      ['associate_id', int32],
      ['level', int16],
      ['prefsection', text(254)],
      ['prefkey', text(254)],
      ['prefvalue', text(2000)],
    ]),
    table('SystemEvent', [['SystemEvent_id', int32], ['eventkey', text(254)], ['eventmess', text(2000)], ['eventtime', timestamptz]], { bookkeeping: false }),
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
    ]),
    table('document', [
      ['document_id', int32],
      ['name', text(511)],
      ['header', text(254)],
      ['archiveProvider', int32],
      ['appointment_id', int32],
      ['ourref', text(254)],
      ['yourref', text(254)],
    ]),
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
      ['currency', text(10)],
    ]),
    table('project', [
      ['project_id', int32],
      ['associate_id', int32],
      ['name', text(254)],
      ['project_number', text(40)],
      ['done', bool],
      ['endDate', date, true],
    ]),
    table('VisibleFor', [
      ['VisibleFor_id', int32],
      ['tableId', int16],
      ['recordId', int32],
      ['visibility', int16],
      ['groupOrAssocId', int32],
    ]),
    table('ejuser', [['ejuser_id', int32], ['username', text(254)], ['status', int16], ['lastAccess', timestamp, true]]),
    table(MAILBOX_TABLE, [['ej_mailbox_id', int32], ['address', text(254)], ['description', text(254)], ['deleted', int16]]),
    table('BinaryObject', [['BinaryObject_id', int32], ['mimeType', text(254)], ['description', text(254)], ['binaryData', binary], ['sizeBytes', int64]]),
  ];
  if (options.customizations) {
    tables.push(table('y_equipment', [['id', int32], ['x_serial', text(60)], ['x_installed', date, true]], { bookkeeping: false }));
  }
  return tables;
}
