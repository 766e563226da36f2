import { quotePg } from '@omt/copy-text';

/** omt's own bookkeeping inside each tenant database (see TenantDatabase). */
export const OMT_SCHEMA = '_omt';
export const LEDGER_TABLE = `${quotePg(OMT_SCHEMA)}."batch_ledger"`;
export const SOURCE_TABLES_TABLE = `${quotePg(OMT_SCHEMA)}."source_tables"`;
