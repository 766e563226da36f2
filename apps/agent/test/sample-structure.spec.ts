import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TableSchema } from '@omt/contracts';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../../../test/support/databases';
import { crmTables } from '../src/sample/crm-schema';
import { createSampleDatabase } from '../src/sample/sample-db';
import { SAMPLE_VOLUMES } from '../src/sample/sample-options';
import { PostgresSource } from '../src/source/postgres-source';
import { findTable, tableSchemaOf } from '../src/source/table-schema';

/**
 * The sample onsite CRM declares what a real installation does (indexes,
 * unique constraints, defaults, identity, char(n), blobs in the database):
 * checked first with PostgreSQL's own catalog, then through the agent's
 * structure reader, which is what the tenant is built from.
 */
const SCHEMA = 'crm7';
let db: TestDatabase;
let archive: string;
const declared: TableSchema[] = crmTables({ customizations: true });

beforeAll(async () => {
  db = await createTestDatabase('samplestructure');
  archive = await mkdtemp(join(tmpdir(), 'omt-sample-structure-'));
  await createSampleDatabase({ target: db.url, archive, seed: 3, size: 'small', problems: ['customizations'], schema: SCHEMA });
});

afterAll(async () => {
  await db?.drop();
  await rm(archive, { recursive: true, force: true });
});

it('declares indexes and unique constraints on the foreign-key and search columns', () => {
  const names = (table: string) => (declared.find((t) => t.name === table)!.indexes ?? []).map((i) => i.keys.map((k) => k.column).join(','));
  expect(names('contact')).toContain('name');
  expect(names('person')).toEqual(expect.arrayContaining(['contact_id', 'lastname,firstname']));
  expect(names('appointment')).toEqual(expect.arrayContaining(['person_id', 'contact_id', 'document_id', 'do_by', 'associate_id,do_by']));
  expect(names('document')).toContain('appointment_id');
  expect(declared.find((t) => t.name === 'associate')!.indexes).toContainEqual(expect.objectContaining({ name: 'UQ_associate_name', unique: true, constraint: true }));
});

describe('in PostgreSQL’s catalog', () => {
  it('has every declared index (pg_indexes) and unique constraint (pg_constraint)', async () => {
    const indexes = await queryDatabase(db.url, `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1`, [SCHEMA]);
    const constraints = await queryDatabase(
      db.url,
      `SELECT c.conname, t.relname, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = $1 AND c.contype = 'u'`,
      [SCHEMA],
    );
    let checked = 0;
    for (const table of declared) {
      for (const index of table.indexes ?? []) {
        const columns = index.keys.map((k) => `${/^[a-z_]+$/.test(k.column) ? k.column : `"${k.column}"`}${k.descending ? ' DESC' : ''}`).join(', ');
        const found = indexes.find((i) => i.indexname === index.name);
        expect({ index: index.name, table: found?.tablename }).toEqual({ index: index.name, table: table.name });
        expect(String(found!.indexdef)).toContain(`(${columns})`);
        expect(String(found!.indexdef).startsWith(index.unique ? 'CREATE UNIQUE INDEX' : 'CREATE INDEX')).toBe(true);
        if (index.constraint) {
          expect(constraints).toContainEqual({ conname: index.name, relname: table.name, def: `UNIQUE (${columns})` });
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
    expect(constraints.map((c) => c.conname).sort()).toEqual(['UQ_UserGroup_name', 'UQ_associate_name', 'UQ_sequence_TableName']);
  });

  it('has the defaults, the identity columns and char(3) (information_schema.columns)', async () => {
    const rows = await queryDatabase(
      db.url,
      `SELECT table_name, column_name, column_default, is_identity, identity_generation, data_type, character_maximum_length
       FROM information_schema.columns WHERE table_schema = $1`,
      [SCHEMA],
    );
    const column = (table: string, name: string) => rows.find((r) => r.table_name === table && r.column_name === name)!;
    expect(column('contact', 'deleted').column_default).toBe('0');
    expect(column('contact', 'business_idx').column_default).toBe('0');
    expect(column('contact', 'name').column_default).toBe("''::character varying");
    expect(column('person', 'registered').column_default).toBe('now()');
    expect(column('project', 'done').column_default).toBe('false');
    expect(column('contact', 'orgNr').column_default).toBeNull();
    expect(column('sale', 'currency')).toMatchObject({ data_type: 'character', character_maximum_length: 3 });
    for (const [table, name] of [['UserPreference', 'userpreference_id'], ['y_equipment', 'id']]) {
      expect(column(table!, name!)).toMatchObject({ is_identity: 'YES', identity_generation: 'ALWAYS' });
    }
    // Every declared default is there, and no other.
    for (const table of declared) {
      for (const c of table.columns) {
        expect({ column: `${table.name}.${c.name}`, hasDefault: column(table.name, c.name).column_default !== null }).toEqual({
          column: `${table.name}.${c.name}`,
          hasDefault: Boolean(c.default),
        });
      }
    }
  });

  it('holds BinaryObject blobs of realistic sizes, the largest at the size’s limit', async () => {
    const [blobs] = await queryDatabase(db.url, `SELECT max(octet_length("binaryData")) AS max, count(*) FILTER (WHERE octet_length("binaryData") > 1024) AS over_1k FROM ${SCHEMA}."BinaryObject"`);
    expect(Number(blobs!.max)).toBe(SAMPLE_VOLUMES.small.maxBlobBytes);
    expect(Number(blobs!.max)).toBeLessThan(4 * 1024 * 1024);
    expect(Number(blobs!.over_1k)).toBeGreaterThan(1);
  });
});

describe('through the agent’s structure reader', () => {
  let tables: TableSchema[];
  beforeAll(async () => {
    const source = new PostgresSource(db.url, SCHEMA);
    try {
      const introspected = await source.introspect();
      tables = declared.map((t) => tableSchemaOf(findTable(introspected, t.name)!));
    } finally {
      await source.close();
    }
  });

  it('reads every table’s indexes and defaults as declared, with nothing left untranslated', () => {
    const byName = <T extends { name: string }>(items: readonly T[]) => [...items].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const [i, table] of tables.entries()) {
      const want = declared[i]!;
      expect({ table: table.name, indexes: byName(table.indexes ?? []) }).toEqual({ table: want.name, indexes: byName(want.indexes ?? []) });
      expect({ table: table.name, untranslated: table.untranslated ?? [] }).toEqual({ table: want.name, untranslated: [] });
      expect(table.columns.map((c) => [c.name, c.type, c.default ?? null])).toEqual(want.columns.map((c) => [c.name, c.type, c.default ?? null]));
    }
  });

  it('reads the identity columns with the next id after the loaded ones', async () => {
    const preference = tables.find((t) => t.name === 'UserPreference')!.columns[0]!;
    const [max] = await queryDatabase(db.url, `SELECT max(userpreference_id) AS max FROM ${SCHEMA}."UserPreference"`);
    expect(preference.identity).toEqual({ generation: 'always', start: '1', increment: '1', next: String(Number(max!.max) + 1) });
  });
});
