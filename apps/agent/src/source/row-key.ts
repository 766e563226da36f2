const TAB = 0x09;
/** Bytes of a key value kept for a message; a key is an id, rarely long. */
const KEPT_BYTES = 200;

/** The key columns of a table, by position in its COPY lines: what names a row in an error. */
export interface RowKey {
  columns: readonly string[];
  positions: readonly number[];
}

/** The key of a table schema's rows; undefined when it has none. */
export function rowKeyOf(table: { columns: readonly { name: string }[]; primaryKey: readonly string[] }): RowKey | undefined {
  if (table.primaryKey.length === 0) return undefined;
  const names = table.columns.map((c) => c.name);
  return { columns: table.primaryKey, positions: table.primaryKey.map((k) => names.indexOf(k)) };
}

/**
 * Picks a row's key values out of its COPY text as it streams past, without
 * holding the row: in COPY text a tab inside a value is escaped, so every
 * 0x09 byte ends a field.
 */
export class RowKeyReader {
  private field = 0;
  private readonly values = new Map<number, Buffer[]>();
  private readonly last: number;

  constructor(private readonly key: RowKey | undefined) {
    this.last = key ? Math.max(...key.positions) : -1;
  }

  update(piece: Buffer): void {
    if (!this.key) return;
    let start = 0;
    while (this.field <= this.last) {
      const tab = piece.indexOf(TAB, start);
      const end = tab === -1 ? piece.length : tab;
      if (this.key.positions.includes(this.field)) this.keep(piece.subarray(start, end));
      if (tab === -1) return;
      this.field++;
      start = tab + 1;
    }
  }

  /** `id = 42` (`a = 1, b = 2` for a composite key); null when the table has no key. */
  describe(): string | null {
    if (!this.key) return null;
    return this.key.columns
      .map((column, i) => {
        const kept = this.values.get(this.key!.positions[i]!);
        let value = kept ? Buffer.concat(kept).toString('utf8') : '?';
        if (value.endsWith('\n')) value = value.slice(0, -1);
        return `${column} = ${value}`;
      })
      .join(', ');
  }

  private keep(bytes: Buffer): void {
    const kept = this.values.get(this.field) ?? [];
    const held = kept.reduce((n, b) => n + b.length, 0);
    if (held < KEPT_BYTES) kept.push(Buffer.from(bytes.subarray(0, KEPT_BYTES - held)));
    this.values.set(this.field, kept);
  }
}
