/** `CREATE TABLE` for a neutral schema is shared with the worker; kept here as the agent's import path. */
export { createTablePgSql } from '@omt/copy-text';
