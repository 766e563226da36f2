import { customerIdSchema, parseOrThrow } from '@omt/contracts';

/**
 * The tenant database of a customer: `tenant_cust12345`. Derived only from a
 * validated customer id (`Cust` + digits) and the configured prefix (checked
 * at start-up), so it is a plain identifier; it is still quoted wherever it
 * reaches SQL.
 */
export function tenantDatabaseName(customerId: string, prefix = 'tenant_'): string {
  return `${prefix}${parseOrThrow(customerIdSchema, customerId, 'customer id').toLowerCase()}`;
}

/** A PostgreSQL identifier in double quotes, embedded quotes doubled. */
export function quoteIdentifier(name: string): string {
  if (name.includes('\u0000')) throw new Error('identifier contains NUL');
  return `"${name.replace(/"/g, '""')}"`;
}
