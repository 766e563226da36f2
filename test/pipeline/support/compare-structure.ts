import { queryDatabase } from '../../support/databases';

/**
 * A schema's declared structure as PostgreSQL's own catalog states it, in
 * a form two databases can be compared by: column definitions, index and
 * constraint definitions with their names left out (the tenant may name an
 * index differently: PostgreSQL scopes index names per schema and keeps 63
 * bytes), and each identity's next value. Read by SQL alone, not by omt.
 */
export interface SchemaStructure {
  columns: Record<string, string[]>;
  indexes: Record<string, string[]>;
  constraints: Record<string, string[]>;
  identities: Record<string, string>;
}

export async function structureOf(url: string, schema: string): Promise<SchemaStructure> {
  const columns = await queryDatabase(
    url,
    `SELECT c.table_name,
            concat_ws(' | ', c.column_name, c.data_type, c.character_maximum_length, c.numeric_precision, c.numeric_scale,
                      c.is_nullable, c.column_default, c.is_identity, c.identity_generation, c.identity_start, c.identity_increment) AS d
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = $1
      ORDER BY c.table_name, c.ordinal_position`,
    [schema],
  );
  // pg_indexes.indexdef is "CREATE [UNIQUE] INDEX <name> ON <schema>.<table> USING btree (…) …": the part from USING on, with uniqueness.
  const indexes = await queryDatabase(
    url,
    `SELECT tablename AS table_name,
            (CASE WHEN indexdef LIKE 'CREATE UNIQUE%' THEN 'UNIQUE ' ELSE '' END) || substring(indexdef FROM ' USING .*$') AS d
       FROM pg_indexes WHERE schemaname = $1 ORDER BY 1, 2`,
    [schema],
  );
  const constraints = await queryDatabase(
    url,
    `SELECT c.relname AS table_name, k.contype::text || ' ' || pg_get_constraintdef(k.oid) AS d
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND k.contype IN ('p', 'u', 'x') ORDER BY 1, 2`,
    [schema],
  );
  const identityColumns = await queryDatabase(
    url,
    `SELECT c.table_name, c.column_name, pg_get_serial_sequence(quote_ident(c.table_schema) || '.' || quote_ident(c.table_name), c.column_name) AS seq,
            c.identity_increment::bigint AS step
       FROM information_schema.columns c WHERE c.table_schema = $1 AND c.is_identity = 'YES'`,
    [schema],
  );
  const identities: Record<string, string> = {};
  for (const { table_name, column_name, seq, step } of identityColumns) {
    // The value the next insert gets: a sequence that has handed out last_value gives last_value + step, else last_value itself.
    const [state] = await queryDatabase(url, `SELECT last_value, is_called FROM ${String(seq)}`);
    const next = state!.is_called ? BigInt(String(state!.last_value)) + BigInt(String(step)) : BigInt(String(state!.last_value));
    identities[`${String(table_name)}.${String(column_name)}`] = next.toString();
  }
  const group = (rows: Record<string, unknown>[]) => {
    const out: Record<string, string[]> = {};
    for (const r of rows) (out[String(r.table_name)] ??= []).push(String(r.d));
    for (const list of Object.values(out)) list.sort();
    return out;
  };
  return { columns: group(columns), indexes: group(indexes), constraints: group(constraints), identities };
}
