import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { UnrecoverableError } from 'bullmq';
import type { IndexDefinition, TableSchema } from '@omt/contracts';
import { tenantIdentifier } from '@omt/copy-text';
import { PG_ADMIN_URL, dropDatabase, uniqueName } from '../../../../test/support/databases';
import { TenantDatabase, tenantDatabaseUrl } from '../../src/tenants/tenant-database';
import { loadBatch } from '../../src/table-import/batch-loader';
import { PermanentImportError } from '../../src/queues/job-errors';
import { verifyTableStructure } from '../../src/verification/structure-verifier';

/**
 * The structure a table declares, built in a real tenant database after
 * the load and read back from PostgreSQL's own catalog (pg_indexes,
 * pg_constraint, information_schema.columns) and by using it (an insert
 * takes the defaults and the next identity value), never through omt's
 * model. Then the structure verifier against the same tenant, before and
 * after the tenant is changed behind its back.
 */

const index = (name: string, over: Partial<IndexDefinition> = {}): IndexDefinition => ({
  name,
  unique: false,
  constraint: false,
  keys: [{ column: 'name', descending: false }],
  include: [],
  filter: [],
  ...over,
});

const LONG_TABLE = `Customer_relationship_archive_table_with_a_name_past_postgres_limit_${'t'.repeat(20)}`;
const LONG_COLUMN = `remark_of_the_customer_relationship_with_a_name_past_the_limit_${'c'.repeat(20)}`;
const LONG_INDEX = `IX_contact_${'i'.repeat(80)}`;

const CONTACT: TableSchema = {
  name: 'contact',
  columns: [
    { name: 'id', type: { kind: 'int32' }, nullable: false, identity: { generation: 'always', start: '1', increment: '1', next: '1001' } },
    { name: 'name', type: { kind: 'text', maxLength: 100 }, nullable: false },
    { name: 'email', type: { kind: 'text', maxLength: 254 }, nullable: true },
    { name: 'code', type: { kind: 'text', maxLength: 5, fixed: true }, nullable: true },
    { name: 'deleted', type: { kind: 'int16' }, nullable: false, default: { kind: 'literal', value: '0' } },
    { name: 'status', type: { kind: 'text', maxLength: 10 }, nullable: true, default: { kind: 'literal', value: "it's" } },
    { name: 'registered', type: { kind: 'timestamp' }, nullable: true, default: { kind: 'now' } },
    { name: 'updated', type: { kind: 'timestamptz' }, nullable: true, default: { kind: 'utcNow' } },
    { name: 'born', type: { kind: 'date' }, nullable: true, default: { kind: 'today' } },
    { name: 'guid', type: { kind: 'uuid' }, nullable: true, default: { kind: 'uuid' } },
    // A constant the source accepted (SQL Server converts on insert only) that integer cannot read.
    { name: 'rank', type: { kind: 'int32' }, nullable: true, default: { kind: 'literal', value: 'not a number' } },
    { name: LONG_COLUMN, type: { kind: 'text', maxLength: null }, nullable: true, default: { kind: 'literal', value: 'none' } },
  ],
  primaryKey: ['id'],
  indexes: [
    index('UQ_contact_code', { unique: true, constraint: true, keys: [{ column: 'code', descending: false }] }),
    index('IX_name'),
    index('IX_contact_name_desc', { keys: [{ column: 'name', descending: true }, { column: 'id', descending: false }] }),
    index('IX_contact_email', { keys: [{ column: 'email', descending: false }], include: ['name', 'code'] }),
    index('IX_contact_active', {
      filter: [
        { column: 'deleted', op: '=', value: '0' },
        { column: 'email', op: 'isNotNull' },
      ],
    }),
    index('UX_contact_email_lower', { unique: true, keys: [{ column: 'email', descending: false, function: 'lower' }] }),
    // Declared as a constraint at the source, but descending: PostgreSQL's UNIQUE constraint cannot say so.
    index('UQ_contact_guid_desc', { unique: true, constraint: true, keys: [{ column: 'guid', descending: true }] }),
    index(LONG_INDEX, { keys: [{ column: LONG_COLUMN, descending: false }] }),
  ],
  untranslated: [{ object: 'index', name: 'IX_contact_soundex', definition: '(soundex([name]))', reason: 'PostgreSQL has no soundex()' }],
};

const ARCHIVE: TableSchema = {
  name: LONG_TABLE,
  columns: [
    { name: 'id', type: { kind: 'int64' }, nullable: false },
    { name: 'name', type: { kind: 'text', maxLength: 50 }, nullable: true },
  ],
  primaryKey: ['id'],
  // The same index name as contact's: SQL Server scopes it by table, PostgreSQL by schema.
  indexes: [index('IX_name')],
};

const CONTACT_ROWS = [
  '1\tAda\tada@example.com\tA1   \t0\tx\t2020-01-01 00:00:00\t2020-01-01 00:00:00+00\t2020-01-01\t00000000-0000-0000-0000-000000000001\t1\tr1',
  '7\tBob\tbob@example.com\tB2   \t1\t\\N\t\\N\t\\N\t\\N\t00000000-0000-0000-0000-000000000002\t\\N\t\\N',
  '1000\tCyd\t\\N\t\\N\t0\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N',
];

const databases: string[] = [];
const tenants: TenantDatabase[] = [];
const clients: Client[] = [];

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  for (const t of tenants) await t.close().catch(() => undefined);
  for (const d of databases) await dropDatabase(d);
});

async function openTenant(label: string): Promise<{ tenant: TenantDatabase; admin: Client }> {
  const database = uniqueName(label);
  databases.push(database);
  const tenant = await TenantDatabase.open({ adminUrl: PG_ADMIN_URL, database, schema: 'crm7' });
  tenants.push(tenant);
  const admin = new Client({ connectionString: tenantDatabaseUrl(PG_ADMIN_URL, database) });
  await admin.connect();
  clients.push(admin);
  return { tenant, admin };
}

async function load(tenant: TenantDatabase, table: TableSchema, lines: string[]): Promise<void> {
  await tenant.createTable(table);
  const data = lines.map((l) => `${l}\n`).join('');
  const sha256 = createHash('sha256').update(data).digest('hex');
  await loadBatch({ tenant, table, sequence: 0, sha256, data: Buffer.from(data), rows: lines.length });
}

async function permanentFailure(promise: Promise<unknown>): Promise<PermanentImportError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnrecoverableError);
  return error as PermanentImportError;
}

/** Every index of the tenant schema as PostgreSQL prints it. */
async function indexDefinitions(admin: Client): Promise<Record<string, string>> {
  const rows = await admin.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'crm7' ORDER BY indexname`,
  );
  return Object.fromEntries(rows.rows.map((r) => [r.indexname, r.indexdef]));
}

const LONG_TABLE_PG = tenantIdentifier(LONG_TABLE);
const LONG_COLUMN_PG = tenantIdentifier(LONG_COLUMN);
const LONG_INDEX_PG = tenantIdentifier(LONG_INDEX);

/** What PostgreSQL must print for the declared structure: written out by hand, the test's own oracle. */
const EXPECTED_INDEXES: Record<string, string> = {
  contact_pkey: 'CREATE UNIQUE INDEX contact_pkey ON crm7.contact USING btree (id)',
  UQ_contact_code: 'CREATE UNIQUE INDEX "UQ_contact_code" ON crm7.contact USING btree (code)',
  contact_IX_name: 'CREATE INDEX "contact_IX_name" ON crm7.contact USING btree (name)',
  IX_contact_name_desc: 'CREATE INDEX "IX_contact_name_desc" ON crm7.contact USING btree (name DESC, id)',
  IX_contact_email: 'CREATE INDEX "IX_contact_email" ON crm7.contact USING btree (email) INCLUDE (name, code)',
  IX_contact_active:
    'CREATE INDEX "IX_contact_active" ON crm7.contact USING btree (name) WHERE ((deleted = \'0\'::smallint) AND (email IS NOT NULL))',
  UX_contact_email_lower: 'CREATE UNIQUE INDEX "UX_contact_email_lower" ON crm7.contact USING btree (lower((email)::text))',
  UQ_contact_guid_desc: 'CREATE UNIQUE INDEX "UQ_contact_guid_desc" ON crm7.contact USING btree (guid DESC)',
  [LONG_INDEX_PG]: `CREATE INDEX "${LONG_INDEX_PG}" ON crm7.contact USING btree (${LONG_COLUMN_PG})`,
  IX_name: `CREATE INDEX "IX_name" ON crm7."${LONG_TABLE_PG}" USING btree (name)`,
  [tenantIdentifier(`${LONG_TABLE_PG}_pkey`)]: `CREATE UNIQUE INDEX "${tenantIdentifier(`${LONG_TABLE_PG}_pkey`)}" ON crm7."${LONG_TABLE_PG}" USING btree (id)`,
};

describe('the structure build after the load', () => {
  let tenant: TenantDatabase;
  let admin: Client;

  beforeAll(async () => {
    ({ tenant, admin } = await openTenant('structure_build'));
    await load(tenant, CONTACT, CONTACT_ROWS);
    await load(tenant, ARCHIVE, ['1\tx', '2\t\\N']);
  });

  it('declares nothing but the columns during the load', async () => {
    expect(await indexDefinitions(admin)).toEqual({});
    const defaults = await admin.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'crm7' AND column_default IS NOT NULL`);
    expect(defaults.rows[0].n).toBe(0);
  });

  it('resumes after a worker dies half way, doing only what was left', async () => {
    // Contact is locked, so the build waits at its key (the archive, first in name order, is done by then); then its connection is killed.
    const blocker = new Client({ connectionString: tenantDatabaseUrl(PG_ADMIN_URL, databases[0]!) });
    await blocker.connect();
    clients.push(blocker);
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE crm7.contact IN ACCESS EXCLUSIVE MODE');
    const first = tenant.buildStructure();
    first.catch(() => undefined);
    let pid: number | undefined;
    for (let i = 0; i < 200 && !pid; i++) {
      const waiting = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'ALTER TABLE %PRIMARY KEY%' AND wait_event_type = 'Lock'`,
      );
      pid = waiting.rows[0]?.pid;
      if (!pid) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pid).toBeDefined();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    const crash = await first.then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(crash).not.toBeNull();
    expect(crash).not.toBeInstanceOf(UnrecoverableError); // a lost connection is retried, not a failed ticket
    await blocker.query('ROLLBACK');

    // The archive's structure is in; nothing of contact's.
    expect(Object.keys(await indexDefinitions(admin)).sort()).toEqual(['IX_name', tenantIdentifier(`${LONG_TABLE_PG}_pkey`)].sort());

    const second = await tenant.buildStructure();
    expect(second.steps).toEqual([
      'contact: primaryKey',
      ...CONTACT.indexes!.map((i) => `contact: index:${i.name}`),
      'contact: defaults',
      'contact: identity',
    ]);
    expect((await tenant.buildStructure()).steps).toEqual([]); // and again: nothing left
  });

  it('gives every index its declared shape, per PostgreSQL itself', async () => {
    expect(await indexDefinitions(admin)).toEqual(EXPECTED_INDEXES);
    const constraints = await admin.query<{ conname: string; contype: string; table: string }>(
      `SELECT conname, contype, conrelid::regclass::text AS table FROM pg_constraint
       WHERE connamespace = 'crm7'::regnamespace ORDER BY conname COLLATE "C"`,
    );
    expect(constraints.rows).toEqual([
      { conname: tenantIdentifier(`${LONG_TABLE_PG}_pkey`), contype: 'p', table: `crm7."${LONG_TABLE_PG}"` },
      { conname: 'UQ_contact_code', contype: 'u', table: 'crm7.contact' },
      { conname: 'contact_pkey', contype: 'p', table: 'crm7.contact' },
    ]);
  });

  it('gives columns their types, defaults and identity, and says which default PostgreSQL refused', async () => {
    const columns = await admin.query(
      `SELECT column_name, data_type, character_maximum_length AS length, is_nullable, column_default,
              is_identity, identity_generation, identity_start, identity_increment
       FROM information_schema.columns WHERE table_schema = 'crm7' AND table_name = 'contact' ORDER BY ordinal_position`,
    );
    const by = Object.fromEntries(columns.rows.map((r) => [r.column_name, r]));
    expect(columns.rows.map((r) => r.column_name)).toEqual(CONTACT.columns.map((c) => tenantIdentifier(c.name)));
    expect(by.id).toMatchObject({ data_type: 'integer', is_nullable: 'NO', column_default: null, is_identity: 'YES', identity_generation: 'ALWAYS', identity_start: '1', identity_increment: '1' });
    expect(by.code).toMatchObject({ data_type: 'character', length: 5, column_default: null });
    expect(by.name).toMatchObject({ data_type: 'character varying', length: 100, is_nullable: 'NO' });
    expect(by.deleted.column_default).toBe("'0'::smallint");
    expect(by.status.column_default).toBe(`'it''s'::character varying(10)`);
    expect(by.registered.column_default).toBe('now()');
    expect(by.updated.column_default).toBe('now()');
    expect(by.born.column_default).toBe('CURRENT_DATE');
    expect(by.guid.column_default).toBe('gen_random_uuid()');
    expect(by.rank.column_default).toBeNull();
    expect(by[LONG_COLUMN_PG].column_default).toBe("'none'::text");

    // Used, not read: an insert numbers past the source's last value and takes every default.
    const inserted = await admin.query(`INSERT INTO crm7.contact (name) VALUES ('Dee') RETURNING *`);
    expect(inserted.rows[0]).toMatchObject({ id: 1001, deleted: 0, status: "it's", rank: null, [LONG_COLUMN_PG]: 'none' });
    expect(inserted.rows[0].guid).toMatch(/^[0-9a-f-]{36}$/);
    expect(inserted.rows[0].registered).not.toBeNull();
    await admin.query(`DELETE FROM crm7.contact WHERE id = 1001`);

    expect(await tenant.structureWarnings('contact')).toEqual([
      expect.stringMatching(/^The default 'not a number' of column "rank" of table "contact" was not applied: PostgreSQL refused it \(invalid input syntax for type integer: "not a number"\)\.$/),
    ]);
  });

  it('verifies the structure, then names an index dropped and a default removed behind its back', async () => {
    expect(await verifyTableStructure(tenant, CONTACT)).toEqual([]);
    expect(await verifyTableStructure(tenant, ARCHIVE)).toEqual([]);

    await admin.query('DROP INDEX crm7."IX_contact_name_desc"');
    await admin.query('ALTER TABLE crm7.contact ALTER COLUMN deleted DROP DEFAULT');
    await admin.query('CREATE INDEX extra ON crm7.contact (email DESC)');
    expect(await verifyTableStructure(tenant, CONTACT)).toEqual([
      `Column "deleted" of table "contact" has no default in the tenant; the source declares '0' ('0'::smallint).`,
      'Index "IX_contact_name_desc" (name DESC, id) of table "contact" is missing in the tenant.',
      'Index "extra" (email DESC) of table "contact" is in the tenant but not declared at the source.',
    ]);
    await admin.query('DROP INDEX crm7.extra');
    // Put back as declared: the verifier compares PostgreSQL's wording, so the same expression, not merely the same value.
    await admin.query(`ALTER TABLE crm7.contact ALTER COLUMN deleted SET DEFAULT '0'::smallint`);
    await admin.query('CREATE INDEX "IX_contact_name_desc" ON crm7.contact (name DESC, id)');
    expect(await verifyTableStructure(tenant, CONTACT)).toEqual([]);
  });

  it('matches indexes by shape: a renamed index is the same index, another filter is not', async () => {
    await admin.query('ALTER INDEX crm7."IX_contact_email" RENAME TO whatever');
    expect(await verifyTableStructure(tenant, CONTACT)).toEqual([]);
    await admin.query('DROP INDEX crm7."IX_contact_active"');
    await admin.query(`CREATE INDEX "IX_contact_active" ON crm7.contact (name) WHERE deleted = 1 AND email IS NOT NULL`);
    const differences = await verifyTableStructure(tenant, CONTACT);
    expect(differences).toEqual([
      `Index "IX_contact_active" (name) WHERE deleted = '0'::smallint AND email IS NOT NULL of table "contact" is missing in the tenant.`,
      `Index "IX_contact_active" (name) WHERE deleted = 1 AND email IS NOT NULL of table "contact" is in the tenant but not declared at the source.`,
    ]);
  });

  it('names an identity the tenant would repeat, a type and a nullability that differ', async () => {
    await admin.query('ALTER TABLE crm7.contact ALTER COLUMN id RESTART WITH 5');
    await admin.query(`UPDATE crm7.contact SET status = 'x' WHERE status IS NULL`);
    await admin.query('ALTER TABLE crm7.contact ALTER COLUMN email TYPE varchar(300), ALTER COLUMN status SET NOT NULL');
    const differences = await verifyTableStructure(tenant, CONTACT);
    expect(differences).toEqual(
      expect.arrayContaining([
        'Column "email" of table "contact" is character varying(300) in the tenant instead of character varying(254).',
        'Column "status" of table "contact" is NOT NULL in the tenant but nullable at the source.',
        'Column "id" of table "contact" would next be numbered 5 in the tenant; the source is at 1001.',
      ]),
    );
  });

  it('names a missing table', async () => {
    expect(await verifyTableStructure(tenant, { ...ARCHIVE, name: 'never_created' })).toEqual([
      'Table "never_created" is missing in the tenant.',
    ]);
  });
});

describe('duplicates under a declared unique index', () => {
  it('fail the build permanently, naming the table and the index', async () => {
    const { tenant } = await openTenant('structure_dupes');
    const table: TableSchema = {
      name: 'person',
      columns: [
        { name: 'id', type: { kind: 'int32' }, nullable: false },
        { name: 'email', type: { kind: 'text', maxLength: 50 }, nullable: true },
      ],
      primaryKey: ['id'],
      indexes: [index('UX_person_email', { unique: true, keys: [{ column: 'email', descending: false, function: 'lower' }] })],
    };
    await load(tenant, table, ['1\tA@example.com', '2\ta@example.com']);
    const error = await permanentFailure(tenant.buildStructure());
    expect(error).toBeInstanceOf(PermanentImportError);
    expect(error.message).toMatch(/^Building unique index "UX_person_email" of table "person": could not create unique index "UX_person_email"/);
    expect(error.message).toContain('is duplicated');
    // Permanent means permanent: the same again, nothing half built in between.
    expect((await permanentFailure(tenant.buildStructure())).message).toBe(error.message);
  });
});
