import type { TableSchema } from '@omt/contracts';
import { tenantIdentifier } from '@omt/copy-text';
import { describeRenamed } from './renamed-names';

const schema = (name: string, columns: string[]): { schema: TableSchema } => ({
  schema: { name, columns: columns.map((c) => ({ name: c, type: { kind: 'int32' }, nullable: true })), primaryKey: [] },
});

describe('describeRenamed', () => {
  it('says nothing when every name fits', () => {
    expect(describeRenamed([schema('contact', ['contact_id', 'name'])])).toBeNull();
  });

  it('names each shortened table and column with what the tenant calls it', () => {
    const table = 't'.repeat(100);
    const column = 'c'.repeat(64);
    expect(describeRenamed([schema(table, ['id']), schema('person', ['id', column])])).toBe(
      "Names longer than PostgreSQL's 63 bytes are stored shortened with a hash suffix: " +
        `table "${table}" is stored as "${tenantIdentifier(table)}"; column "${column}" of "person" as "${tenantIdentifier(column)}".`,
    );
  });
});
