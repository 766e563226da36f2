import { structureProblems } from '@omt/copy-text';
import type { IntrospectedTable } from './source-connector';
import { tableSchemaOf } from './table-schema';

describe('tableSchemaOf', () => {
  const identity = { generation: 'always' as const, start: '1', increment: '1', next: '8' };
  const table: IntrospectedTable = {
    name: 'invoice',
    columns: [
      { name: 'id', nativeType: 'int', nullable: false, type: { kind: 'int32' }, identity },
      {
        name: 'number',
        nativeType: 'decimal',
        nullable: false,
        type: { kind: 'decimal', precision: 18, scale: 0 },
        identity,
      },
    ],
    primaryKey: ['id'],
    indexes: [],
    untranslated: [],
  };

  it('carries an identity PostgreSQL can number and reports one on another type instead of sending it', () => {
    const schema = tableSchemaOf(table);
    expect(schema.columns[0]!.identity).toEqual(identity);
    expect(schema.columns[1]!.identity).toBeUndefined();
    expect(schema.untranslated).toEqual([
      expect.objectContaining({ object: 'default', name: 'number', definition: 'IDENTITY(1,1) on decimal' }),
    ]);
    // The API refuses a schema whose structure does not hold together; this one does.
    expect(structureProblems(schema)).toEqual([]);
  });
});
