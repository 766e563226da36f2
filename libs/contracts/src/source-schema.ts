import { z } from 'zod';

/**
 * The neutral column type model: every onsite column (SQL Server or
 * PostgreSQL) maps to one of these, and the tenant's tables are created from
 * them. Values travel in PostgreSQL's COPY text format under fixed session
 * settings (ISO dates, UTC, full float precision, hex bytea), so a value is
 * encoded once at the source and never re-parsed on the way.
 */
export const columnTypeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('int16') }),
  z.object({ kind: z.literal('int32') }),
  z.object({ kind: z.literal('int64') }),
  /** Any precision and scale a source declares: beyond PostgreSQL's 1000 the tenant column is unconstrained `numeric`. */
  z.object({
    kind: z.literal('decimal'),
    precision: z.number().int().min(1),
    scale: z.number().int().min(0),
  }),
  z.object({ kind: z.literal('float32') }),
  z.object({ kind: z.literal('float64') }),
  z.object({ kind: z.literal('boolean') }),
  /** `maxLength` null means unbounded (nvarchar(max), text). */
  z.object({ kind: z.literal('text'), maxLength: z.number().int().positive().nullable() }),
  z.object({ kind: z.literal('binary'), maxLength: z.number().int().positive().nullable() }),
  z.object({ kind: z.literal('date') }),
  z.object({ kind: z.literal('time') }),
  z.object({ kind: z.literal('timestamp') }),
  z.object({ kind: z.literal('timestamptz') }),
  z.object({ kind: z.literal('uuid') }),
]);
export type ColumnType = z.infer<typeof columnTypeSchema>;
export type ColumnKind = ColumnType['kind'];

/** Names are customer data: any characters, never interpolated into SQL or paths unquoted. */
export const identifierSchema = z
  .string()
  .min(1)
  .max(128)
  .refine((s) => !s.includes('\u0000'), 'must not contain NUL');

export const columnSchema = z.object({
  name: identifierSchema,
  type: columnTypeSchema,
  nullable: z.boolean(),
});
export type Column = z.infer<typeof columnSchema>;

export const tableSchemaSchema = z.object({
  name: identifierSchema,
  columns: z.array(columnSchema).min(1),
  /** Column names in key order; empty when the table has no primary key. */
  primaryKey: z.array(identifierSchema),
}).meta({ description: "A source table's columns and primary key." });
export type TableSchema = z.infer<typeof tableSchemaSchema>;
