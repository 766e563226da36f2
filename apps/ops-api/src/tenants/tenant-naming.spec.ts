import { quoteIdentifier, tenantDatabaseName } from './tenant-naming';

describe('tenant naming', () => {
  it('derives the database name from the customer id', () => {
    expect(tenantDatabaseName('Cust12345')).toBe('tenant_cust12345');
  });

  it('refuses anything that is not a customer id', () => {
    expect(() => tenantDatabaseName('Cust1"; DROP DATABASE x; --')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('quotes identifiers', () => {
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
  });
});
