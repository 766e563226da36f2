/**
 * PostgreSQL catalog reads for the stand-in source's structure. The schema
 * is always the parameter $1; expressions come back as the server prints
 * them (pg_get_expr, pg_get_indexdef with pretty printing) and are read by
 * pg-structure.ts, never run.
 */

/**
 * Columns with their default and, when a sequence belongs to the column
 * (identity: pg_depend type 'i'; serial: type 'a'), that sequence's
 * parameters. `sequence_ref` is the sequence as `regclass` prints it in
 * this session, which is how a serial default names it.
 */
export const PG_COLUMNS_SQL = `
  SELECT c.relname AS table_name, a.attname AS column_name,
         format_type(a.atttypid, a.atttypmod) AS native_type, NOT a.attnotnull AS nullable,
         pg_get_expr(d.adbin, d.adrelid, true) AS default_expr, a.attidentity AS identity, a.attgenerated AS generated,
         sq.nspname AS sequence_schema, sq.relname AS sequence_name, sq.oid::regclass::text AS sequence_ref,
         sq.deptype AS sequence_link, seq.seqstart::text AS sequence_start, seq.seqincrement::text AS sequence_increment
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
  LEFT JOIN LATERAL (
    SELECT s.oid, s.relname, sn.nspname, dep.deptype
    FROM pg_depend dep
    JOIN pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
    JOIN pg_namespace sn ON sn.oid = s.relnamespace
    WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
      AND dep.refobjid = c.oid AND dep.refobjsubid = a.attnum AND dep.deptype IN ('a', 'i')
    ORDER BY dep.deptype DESC, s.oid
    LIMIT 1) sq ON true
  LEFT JOIN pg_sequence seq ON seq.seqrelid = sq.oid
  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  ORDER BY c.relname, a.attnum`;

/**
 * One row per column of every index besides primary keys (key columns
 * first, then INCLUDE columns past `key_count`). Invalid indexes (a failed
 * CREATE INDEX CONCURRENTLY) are left out, as SQL Server's disabled ones
 * are: the source does not use them either. The constraint join is limited
 * to the table's own UNIQUE/exclusion constraints, since foreign keys of
 * other tables point at the same index.
 */
export const PG_INDEXES_SQL = `
  SELECT c.relname AS table_name, ic.relname AS index_name, i.indisunique AS is_unique,
         con.contype AS constraint_type, am.amname AS method, i.indnkeyatts AS key_count,
         pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
         COALESCE(pg_get_constraintdef(con.oid, true), pg_get_indexdef(i.indexrelid, 0, true)) AS definition,
         k.n AS position, a.attname AS column_name, pg_get_indexdef(i.indexrelid, k.n, true) AS key_text,
         COALESCE((i.indoption[k.n - 1] & 1) = 1, false) AS descending,
         COALESCE((i.indoption[k.n - 1] & 2) = 2, false) AS nulls_first,
         COALESCE(NOT opc.opcdefault, false) AS custom_opclass,
         COALESCE(i.indcollation[k.n - 1] NOT IN (0, 100) AND i.indcollation[k.n - 1] <> COALESCE(a.attcollation, 0), false)
           AS custom_collation
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_am am ON am.oid = ic.relam
  CROSS JOIN LATERAL generate_series(1, i.indnatts::int) AS k(n)
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[k.n - 1] AND a.attnum > 0
  LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[k.n - 1]
  LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = c.oid AND con.contype IN ('u', 'x')
  WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    AND NOT i.indisprimary AND i.indisvalid
  ORDER BY c.relname, ic.relname, k.n`;
