import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mssqlDefaultOf } from '../source/mssql-structure';
import { buildSample } from './sample-generator';
import { tsqlDefaultName, writeSampleTsql } from './sample-tsql';

/**
 * No SQL Server here: the script is checked as text. Every piece of
 * structure the PostgreSQL sample declares must appear in it in SQL
 * Server's syntax, and each default must read back (through the agent's
 * own SQL Server reader) as the default the PostgreSQL sample has.
 */
let dir: string;
let script: string;
const sample = buildSample({ seed: 5, size: 'small', problems: ['customizations'] });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omt-tsql-'));
  const file = join(dir, 'sample.sql');
  await writeSampleTsql(sample, file);
  script = await readFile(file, 'utf8');
});

afterAll(async () => rm(dir, { recursive: true, force: true }));

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const bracket = (name: string) => `[${name.replace(/]/g, ']]')}]`;

/** The CREATE TABLE statement of one table. */
function createTable(table: string): string {
  const start = script.indexOf(`CREATE TABLE [crm7].${bracket(table)} (`);
  expect(start).toBeGreaterThanOrEqual(0);
  return script.slice(start, script.indexOf('\n);', start));
}

describe.each(sample.tables.map((t) => [t.schema.name, t.schema] as const))('table %s', (name, table) => {
  it('declares every default as a named DEFAULT constraint that reads back as the same default', () => {
    const create = createTable(name);
    for (const column of table.columns) {
      const line = create.split('\n').find((l) => l.startsWith(`  ${bracket(column.name)} `))!;
      expect(line).toBeDefined();
      const match = new RegExp(`CONSTRAINT ${escape(bracket(tsqlDefaultName(name, column.name)))} DEFAULT (.*?),?$`).exec(line);
      if (!column.default) {
        expect({ column: column.name, line: match }).toEqual({ column: column.name, line: null });
        continue;
      }
      expect(match).not.toBeNull();
      expect({ column: column.name, read: mssqlDefaultOf(match![1]!, column.type) }).toEqual({
        column: column.name,
        read: { ok: true, value: column.default },
      });
    }
  });

  it('declares identity and fixed-length text', () => {
    const create = createTable(name);
    for (const column of table.columns) {
      const line = create.split('\n').find((l) => l.startsWith(`  ${bracket(column.name)} `))!;
      if (column.identity) {
        expect(line).toContain(` IDENTITY(${column.identity.start},${column.identity.increment}) NOT NULL`);
        expect(script).toContain(`SET IDENTITY_INSERT [crm7].${bracket(name)} ON;`);
        expect(script).toContain(`SET IDENTITY_INSERT [crm7].${bracket(name)} OFF;`);
      } else expect(line).not.toContain('IDENTITY');
      if (column.type.kind === 'text' && column.type.fixed) expect(line).toContain(` nchar(${column.type.maxLength}) `);
    }
  });

  it('builds every index and unique constraint', () => {
    for (const index of table.indexes ?? []) {
      const keys = index.keys.map((k) => `${bracket(k.column)}${k.descending ? ' DESC' : ''}`).join(', ');
      const statement = index.constraint
        ? `ALTER TABLE [crm7].${bracket(name)} ADD CONSTRAINT ${bracket(index.name)} UNIQUE NONCLUSTERED (${keys});`
        : `CREATE ${index.unique ? 'UNIQUE ' : ''}NONCLUSTERED INDEX ${bracket(index.name)} ON [crm7].${bracket(name)} (${keys});`;
      expect(script).toContain(statement);
    }
  });
});

it('covers the structure the PostgreSQL sample declares', () => {
  const schemas = sample.tables.map((t) => t.schema);
  expect(schemas.flatMap((t) => t.indexes ?? []).length).toBeGreaterThan(30);
  expect(schemas.some((t) => t.columns.some((c) => c.identity))).toBe(true);
  expect(script.match(/ DEFAULT /g)!.length).toBe(schemas.flatMap((t) => t.columns.filter((c) => c.default)).length);
  expect(script.match(/NONCLUSTERED/g)!.length).toBe(schemas.flatMap((t) => t.indexes ?? []).length);
});
