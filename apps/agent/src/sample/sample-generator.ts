import type { TableSchema } from '@omt/contracts';
import { CRM_PASSWORD_CREDENTIAL_TYPE, hashCrmPassword } from '../logon/crm-password';
import { MAILBOX_TABLE } from '../catalog/crm-catalog';
import { crmTables } from './crm-schema';
import { Prng } from './prng';
import { randomTimestamp, sampleDocuments, type SampleDocument } from './sample-documents';
import { COMPANY_FORMS, COMPANY_STEMS, FIRST_ASCII, FIRST_NAMES, LAST_ASCII, LAST_NAMES, LONG_TEXT_PARAGRAPH } from './sample-names';
import { sampleVolumes, type SampleOptions } from './sample-options';
import { sampleUsers, type SampleUser } from './sample-users';

export type SampleRow = Record<string, unknown>;

export interface SampleTable {
  schema: TableSchema;
  /** Rows are produced on demand, so a large sample never sits in memory. */
  rows(): Iterable<SampleRow>;
}

export interface SampleDatabase {
  schema: string;
  tables: SampleTable[];
  users: SampleUser[];
  documents: SampleDocument[];
}

export const SAMPLE_VERSION = '8.5.7190.a';
export const SAMPLE_OLD_VERSION = '7.0.3209.a';

const OWN_CONTACT_ID = 1;

/** Everything in the sample follows from the options: same options, same bytes. */
export function buildSample(options: SampleOptions): SampleDatabase {
  const problems = new Set(options.problems);
  const volumes = sampleVolumes(options);
  const users = sampleUsers(options);
  const documents = sampleDocuments(options, users);
  const schemas = new Map(crmTables({ customizations: problems.has('customizations') }).map((t) => [t.name, t]));
  const rngFor = (table: string) => new Prng(`${options.seed}:${table}`);
  const activeUsers = users.filter((u) => u.type === 0 && !u.retired);
  const userPersons = users.length;
  const firstCustomerPerson = userPersons + 1;
  const lastCustomerPerson = userPersons + volumes.persons;
  const lastContact = OWN_CONTACT_ID + volumes.contacts;
  const contactOfPerson = (personId: number) =>
    personId <= userPersons ? OWN_CONTACT_ID : 2 + ((personId - firstCustomerPerson) % volumes.contacts);
  const book = (rng: Prng): SampleRow => ({
    registered: randomTimestamp(rng, 2006, 2025),
    registered_associate_id: rng.pick(activeUsers).associateId,
    updated: rng.chance(0.6) ? randomTimestamp(rng, 2015, 2025) : null,
    updated_associate_id: 0,
    updatedCount: rng.int(0, 30),
  });
  const version = problems.has('old-version') ? SAMPLE_OLD_VERSION : SAMPLE_VERSION;
  const serial = String(1_000_000_000 + (new Prng(`${options.seed}:serial`).nextUint32() % 9_000_000_000));
  const documentAppointments = documents.filter((d) => d.appointmentId !== null);
  const firstPlainAppointment = documents.length + 1;

  const modules = [
    { id: 1, name: 'user', description: 'User', plan: false, info: '' },
    { id: 2, name: 'web', description: 'Web', plan: false, info: '' },
    { id: 3, name: 'travel', description: 'Travel', plan: false, info: '' },
    { id: 4, name: 'ten-sales', description: 'Sales Premium', plan: true, info: 'set=user,web,sales,marketing-light' },
    { id: 5, name: 'ten-service', description: 'Service Premium', plan: true, info: 'set=user,web,service' },
    { id: 6, name: 'ten-marketing', description: 'Marketing Premium', plan: true, info: 'set=user,web,marketing' },
    { id: 7, name: 'ten-salesservicemarketing', description: 'Sales, Service and Marketing Premium', plan: true, info: 'set=user,web,sales,service,marketing' },
    { id: 8, name: 'sales-t1', description: 'Sales Essentials', plan: true, info: 'set=user,web' },
  ];
  const moduleId = (name: string) => modules.find((m) => m.name === name)!.id;
  const roleIds: Record<string, number> = { 'general-admin': 1, 'user-admin': 2, sales: 3, service: 4 };

  const tables: Record<string, () => Iterable<SampleRow>> = {
    *company() {
      const rng = rngFor('company');
      yield { company_id: 1, ownerContactName: 'Nordlys AS', serialNo: serial, version, revision: 0, ...book(rng) };
    },
    *ProductVersion() {
      const rng = rngFor('ProductVersion');
      yield { ProductVersion_id: 1, ownerName: 'SUPEROFFICE', codeName: 'CRM', version, ...book(rng) };
      yield { ProductVersion_id: 2, ownerName: 'SUPEROFFICE', codeName: 'NetServer', version, ...book(rng) };
    },
    *contact() {
      const rng = rngFor('contact');
      for (let id = OWN_CONTACT_ID; id <= lastContact; id++) {
        const name = id === OWN_CONTACT_ID ? 'Nordlys AS' : `${rng.pick(COMPANY_STEMS)} ${rng.pick(COMPANY_FORMS)} ${id}`;
        const row: SampleRow = {
          contact_id: id,
          name,
          department: rng.chance(0.3) ? rng.pick(['Sales', 'Avdeling Nord', 'Einkauf', '営業部', '']) : '',
          orgNr: rng.chance(0.8) ? String(rng.int(800_000_000, 999_999_999)) : null,
          number1: String(10000 + id),
          business_idx: rng.int(0, 12),
          latitude: rng.chance(0.7) ? (rng.next() * 180 - 90) : null,
          longitude: rng.chance(0.7) ? (rng.next() * 360 - 180) : null,
          contactGuid: uuidFrom(rng),
          deleted: rng.chance(0.02) ? 1 : 0,
          ...book(rng),
        };
        if (problems.has('customizations')) row.x_segment = rng.chance(0.5) ? rng.pick(['A', 'B', 'Key account']) : null;
        yield row;
      }
    },
    *person() {
      const rng = rngFor('person');
      for (const user of users) {
        yield { person_id: user.personId, contact_id: OWN_CONTACT_ID, firstname: user.firstname, middleName: '', lastname: user.lastname, title: 'Employee', birthdate: null, retired: user.retired ? 1 : 0, ...book(rng) };
      }
      for (let id = firstCustomerPerson; id <= lastCustomerPerson; id++) {
        yield {
          person_id: id,
          contact_id: contactOfPerson(id),
          firstname: rng.pick(FIRST_NAMES),
          middleName: rng.chance(0.1) ? rng.pick(FIRST_NAMES) : '',
          lastname: rng.pick(LAST_NAMES),
          title: rng.pick(['CEO', 'Innkjøpssjef', 'Einkaufsleiter', 'Directrice', '部長', 'Менеджер', '']),
          birthdate: rng.chance(0.4) ? randomTimestamp(rng, 1940, 2004).slice(0, 10) : null,
          retired: rng.chance(0.05) ? 1 : 0,
          ...book(rng),
        };
      }
    },
    *associate() {
      const rng = rngFor('associate');
      for (const user of users) {
        yield {
          associate_id: user.associateId,
          name: user.login,
          person_id: user.personId,
          type: user.type,
          deleted: user.retired ? 1 : 0,
          group_idx: user.groupIdx,
          ejuserId: user.role === 'service' ? user.associateId : 0,
          userName: null,
          lastlogin: user.type === 0 ? randomTimestamp(rng, 2024, 2025) : null,
          ...book(rng),
        };
      }
    },
    *Email() {
      const rng = rngFor('Email');
      let id = 0;
      for (const user of users) {
        for (const [rank, address] of user.emails.entries()) {
          yield { email_id: ++id, person_id: user.personId, contact_id: OWN_CONTACT_ID, type: 0, email_address: address, rank: rank + 1, description: '', ...book(rng) };
        }
      }
      for (let personId = firstCustomerPerson; personId <= lastCustomerPerson; personId++) {
        if (!rng.chance(0.7)) continue;
        const local = `${rng.pick(FIRST_ASCII)}.${rng.pick(LAST_ASCII)}${personId}`;
        yield { email_id: ++id, person_id: personId, contact_id: contactOfPerson(personId), type: 0, email_address: `${local}@customer${contactOfPerson(personId)}.example`, rank: 1, description: '', ...book(rng) };
      }
      for (let contactId = 2; contactId <= lastContact; contactId += 2) {
        yield { email_id: ++id, person_id: 0, contact_id: contactId, type: 0, email_address: `post@customer${contactId}.example`, rank: 1, description: 'Switchboard', ...book(rng) };
      }
    },
    *UserGroup() {
      const rng = rngFor('UserGroup');
      const groups = ['Sales', 'Service', 'Management', 'Former staff'];
      for (const [i, name] of groups.entries()) yield { UserGroup_id: i + 1, name, deleted: i === 3 ? 1 : 0, ...book(rng) };
    },
    *Role() {
      const rng = rngFor('Role');
      const roles = ['General administrator', 'User administrator', 'Sales', 'Service'];
      for (const [i, name] of roles.entries()) yield { role_id: i + 1, name, deleted: 0, ...book(rng) };
    },
    *UserRoleLink() {
      const rng = rngFor('UserRoleLink');
      let id = 0;
      for (const user of users) {
        if (user.role) yield { UserRoleLink_id: ++id, associate_id: user.associateId, role_id: roleIds[user.role]!, ...book(rng) };
      }
    },
    *FunctionRight() {
      const rng = rngFor('FunctionRight');
      const rights = [
        ['admin-all', 'General administrator'],
        ['admin-users', 'User administrator'],
        ['sale-edit', 'Edit sales'],
        ['ticket-edit', 'Edit requests'],
        ['document-edit', 'Edit documents'],
      ];
      for (const [i, [name, description]] of rights.entries()) yield { FunctionRight_id: i + 1, name, description, ...book(rng) };
    },
    *FunctionRightRoleLink() {
      const rng = rngFor('FunctionRightRoleLink');
      const links: Array<[number, number]> = [[1, 1], [3, 1], [5, 1], [2, 2], [5, 2], [3, 3], [5, 3], [4, 4], [5, 4]];
      for (const [i, [right, role]] of links.entries()) yield { FunctionRightRoleLink_id: i + 1, functionright_id: right, role_id: role, ...book(rng) };
    },
    *Credentials() {
      const rng = rngFor('Credentials');
      let id = 0;
      for (const user of users) {
        if (user.password === null) continue;
        yield {
          Credentials_id: ++id,
          associateId: user.associateId,
          credentialType: CRM_PASSWORD_CREDENTIAL_TYPE,
          searchName: user.login.toUpperCase(),
          secret: hashCrmPassword(user.password, rng.bytes(16)),
          isActive: user.retired ? 0 : 1,
          ...book(rng),
        };
      }
    },
    *ModuleOwner() {
      yield { ModuleOwner_id: 1, ownerName: 'SUPEROFFICE', description: 'SuperOffice licences', ...book(rngFor('ModuleOwner')) };
    },
    *ModuleLicense() {
      const rng = rngFor('ModuleLicense');
      for (const m of modules) {
        yield { ModuleLicense_id: m.id, moduleOwnerId: 1, moduleName: m.name, moduleDescription: m.description, extraFlags: m.plan ? 1 : 0, extraInfo: m.info, licenseType: 1, licenseNumber: 500, ...book(rng) };
      }
    },
    *LicenseAssocLink() {
      const rng = rngFor('LicenseAssocLink');
      let id = 0;
      for (const user of users) {
        for (const name of [...(user.plan ? [user.plan] : []), ...user.licences]) {
          yield { LicenseAssocLink_id: ++id, moduleLicenseId: moduleId(name), assocId: user.associateId, ...book(rng) };
        }
      }
    },
    *traveller() {
      if (!problems.has('travel')) return;
      const jd = users.find((u) => u.login === 'JD')!;
      yield { traveller_id: 1, travel_id: jd.associateId, generatedtime: '2025-11-02T08:15:00' };
    },
    *travelcurrent() {
      yield { travelcurrent_id: 1, systemlevel: 10, current_id: 0 };
    },
    *area() {
      const rng = rngFor('area');
      yield { area_id: 1, name: 'Bergen office', deleted: 0, ...book(rng) };
      yield { area_id: 2, name: 'Tromsø laptop pool', deleted: 1, ...book(rng) };
    },
    *satellite() {
      const rng = rngFor('satellite');
      // A satellite retired long ago is normal and must not block.
      yield { satellite_id: 1, area_id: 2, name: 'Tromsø (closed)', deleted: 1, ...book(rng) };
      if (problems.has('satellite')) yield { satellite_id: 2, area_id: 1, name: 'Bergen satellite', deleted: 0, ...book(rng) };
    },
    *UserPreference() {
      const rng = rngFor('UserPreference');
      let id = 0;
      for (let i = 0; i < volumes.preferences; i++) {
        const section = rng.pick(['Main', 'Calendar', 'Document', 'Sale', 'Functions']);
        yield { userpreference_id: ++id, associate_id: rng.pick([0, ...activeUsers.map((u) => u.associateId)]), level: rng.pick([0, 4, 5]), prefsection: section, prefkey: `${section}Key${i}`, prefvalue: rng.chance(0.1) ? '' : `value ${i}`, ...book(rng) };
      }
      if (problems.has('sentry-prefs')) {
        yield { userpreference_id: ++id, associate_id: 0, level: 0, prefsection: 'SentryAddonNames', prefkey: 'Sentry1', prefvalue: 'SOSentryPlugin.Sentry', ...book(rng) };
        yield { userpreference_id: ++id, associate_id: 1, level: 5, prefsection: 'SentryAddonNames', prefkey: 'Sentry2', prefvalue: 'LegacyProjectGuard', ...book(rng) };
      }
    },
    *SystemEvent() {
      yield { SystemEvent_id: 1, eventkey: 'DbSetup', eventmess: 'Database upgraded', eventtime: '2024-05-01T06:00:00.123456Z' };
    },
    *appointment() {
      const rng = rngFor('appointment');
      const docsById = new Map(documentAppointments.map((d) => [d.appointmentId!, d]));
      for (let id = 1; id <= firstPlainAppointment - 1 + volumes.appointments; id++) {
        const doc = docsById.get(id);
        if (id < firstPlainAppointment && !doc) continue;
        const start = doc ? doc.registered : randomTimestamp(rng, 2006, 2026);
        const personId = rng.int(firstCustomerPerson, lastCustomerPerson);
        yield {
          appointment_id: id,
          associate_id: doc ? doc.ownerAssociateId : rng.pick(activeUsers).associateId,
          contact_id: contactOfPerson(personId),
          person_id: personId,
          document_id: doc ? doc.documentId : 0,
          type: doc ? 4 : rng.pick([1, 1, 2, 3]),
          do_by: start,
          endDate: start,
          alarm_time: rng.chance(0.2) ? `${String(rng.int(6, 18)).padStart(2, '0')}:${rng.pick(['00', '15', '30', '45'])}:00` : null,
          status: rng.int(1, 3),
          description: rng.chance(0.05) ? LONG_TEXT_PARAGRAPH.repeat(rng.int(20, 120)) : rng.chance(0.5) ? `Call about order ${id}` : '',
          ...book(rng),
        };
      }
    },
    *document() {
      const rng = rngFor('document');
      for (const d of documents) {
        yield { document_id: d.documentId, name: d.name, header: d.header, archiveProvider: 0, appointment_id: d.linkedAppointmentId, ourref: `DOC-${d.documentId}`, yourref: rng.chance(0.3) ? `Ref ${rng.int(100, 999)}` : '', ...book(rng), registered: d.registered };
      }
    },
    *sale() {
      const rng = rngFor('sale');
      for (let id = 1; id <= volumes.sales; id++) {
        const personId = rng.int(firstCustomerPerson, lastCustomerPerson);
        const cents = BigInt(rng.int(0, 99_999_999)) * BigInt(rng.pick([1, 100, 10_000]));
        yield {
          sale_id: id,
          associate_id: rng.pick(activeUsers).associateId,
          contact_id: contactOfPerson(personId),
          person_id: personId,
          heading: `Sale ${id}: ${rng.pick(['licences', 'Wartung', 'consulting', 'サポート', 'оборудование'])}`,
          amount: centsToDecimal(id === 1 ? 9_999_999_999_999_999n : cents),
          earning: centsToDecimal(id === 2 ? -9_999_999_999_999_999n : cents / 4n),
          probability: rng.int(0, 100),
          saledate: randomTimestamp(rng, 2006, 2026).slice(0, 10),
          status: rng.int(1, 4),
          currency: rng.pick(['NOK', 'EUR', 'SEK', 'USD', 'JPY']),
          ...book(rng),
        };
      }
    },
    *project() {
      const rng = rngFor('project');
      for (let id = 1; id <= volumes.projects; id++) {
        yield { project_id: id, associate_id: rng.pick(activeUsers).associateId, name: `Project ${rng.pick(COMPANY_STEMS)} ${id}`, project_number: `P-${1000 + id}`, done: rng.chance(0.4), endDate: rng.chance(0.7) ? randomTimestamp(rng, 2008, 2027).slice(0, 10) : null, ...book(rng) };
      }
    },
    *VisibleFor() {
      const rng = rngFor('VisibleFor');
      for (let id = 1; id <= volumes.visibleFor; id++) {
        yield { VisibleFor_id: id, tableId: rng.pick([5, 7, 9]), recordId: rng.int(1, Math.max(1, volumes.appointments)), visibility: rng.int(0, 2), groupOrAssocId: rng.int(1, 3), ...book(rng) };
      }
    },
    *ejuser() {
      const rng = rngFor('ejuser');
      for (const user of users) {
        if (user.role === 'service') yield { ejuser_id: user.associateId, username: user.login.toLowerCase(), status: 1, lastAccess: rng.chance(0.8) ? randomTimestamp(rng, 2024, 2025) : null, ...book(rng) };
      }
    },
    *[MAILBOX_TABLE]() {
      const rng = rngFor(MAILBOX_TABLE);
      yield { ej_mailbox_id: 1, address: 'old-support@nordlys.example', description: 'Closed in 2019', deleted: 1, ...book(rng) };
      if (problems.has('customer-service')) {
        yield { ej_mailbox_id: 2, address: 'support@nordlys.example', description: 'Support', deleted: 0, ...book(rng) };
        yield { ej_mailbox_id: 3, address: 'salg@nordlys.example', description: 'Salg', deleted: 0, ...book(rng) };
      }
    },
    *BinaryObject() {
      const rng = rngFor('BinaryObject');
      for (let id = 1; id <= volumes.binaryObjects; id++) {
        const data = id === 1 ? Buffer.from(Array.from({ length: 256 }, (_, i) => i)) : rng.bytes(blobSize(rng, id, volumes.maxBlobBytes));
        yield { BinaryObject_id: id, mimeType: rng.pick(['image/png', 'application/octet-stream', 'image/jpeg']), description: `Picture ${id}`, binaryData: data, sizeBytes: data.length, ...book(rng) };
      }
    },
    *y_equipment() {
      const rng = rngFor('y_equipment');
      for (let id = 1; id <= 12; id++) yield { id, x_serial: `SN-${rng.int(10000, 99999)}`, x_installed: rng.chance(0.8) ? randomTimestamp(rng, 2015, 2025).slice(0, 10) : null };
    },
  };

  // SuperOffice takes ids from `sequence`: next_id is one past the largest id of each table.
  // The largest ids are noted while the other tables are written, so nothing is generated twice.
  const maxIds = new Map<string, number>();
  const tracked = (schema: TableSchema) =>
    function* (): Iterable<SampleRow> {
      const pk = schema.primaryKey[0]!;
      let max = 0;
      for (const row of tables[schema.name]!()) {
        max = Math.max(max, Number(row[pk]));
        yield row;
      }
      maxIds.set(schema.name, max);
    };
  const ordered = [...schemas.values()].filter((t) => t.name !== 'sequence');
  const sequenceRows = function* (): Iterable<SampleRow> {
    for (const [i, schema] of ordered.entries()) {
      if (!maxIds.has(schema.name)) for (const _ of tracked(schema)());
      yield { sequence_id: i + 1, TableName: schema.name, next_id: maxIds.get(schema.name)! + 1 };
    }
  };

  return {
    schema: options.schema ?? 'crm7',
    users,
    documents,
    tables: [
      ...ordered.map((schema) => ({ schema, rows: tracked(schema) })),
      { schema: schemas.get('sequence')!, rows: sequenceRows },
    ],
  };
}

/**
 * A `BinaryObject` value's size: pictures and attachments kept in the
 * database, mostly 1 KB to 256 KB, one in 25 up to the largest; the second
 * row is the largest, so every sample holds one value of that size.
 */
function blobSize(rng: Prng, id: number, maxBytes: number): number {
  if (id === 2) return maxBytes;
  const logUniform = (from: number, to: number) => Math.round(Math.exp(Math.log(from) + rng.next() * (Math.log(to) - Math.log(from))));
  const small = Math.min(256 * 1024, maxBytes);
  return rng.chance(0.04) ? logUniform(small, maxBytes) : logUniform(Math.min(1024, small), small);
}

function uuidFrom(rng: Prng): string {
  const b = rng.bytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function centsToDecimal(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}
