// Output helpers shared by the CLI commands: aligned text tables, JSON with
// bigint as decimal strings and Buffers as hex, and names for kernel numbers.

export type Row = Record<string, string | number | null | undefined>;

/** A left-aligned table with a header line; null/undefined print as '-'. */
export function table(columns: string[], rows: Row[]): string {
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '-' : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]): string => vals.map((v, i) => (i === vals.length - 1 ? v : v.padEnd(widths[i]))).join('  ');
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}

/** JSON for results: bigint -> decimal string, Buffer -> hex string. */
export function toJson(value: unknown, indent = 2): string {
  return (
    JSON.stringify(
      value,
      function (this: unknown, _key: string, v: unknown) {
        if (typeof v === 'bigint') return v.toString();
        if (
          v &&
          typeof v === 'object' &&
          (v as { type?: unknown }).type === 'Buffer' &&
          Array.isArray((v as { data?: unknown }).data)
        )
          return Buffer.from((v as { data: number[] }).data).toString('hex');
        return v;
      },
      indent,
    ) + '\n'
  );
}

/** The name of a kernel value from a prefix of uapi constants, e.g. ('IF_OPER_', 6) -> 'UP'. */
export function nameOf(table: Record<string, number>, prefix: string, value: number | null): string | null {
  if (value === null) return null;
  for (const [k, v] of Object.entries(table)) if (v === value && k.startsWith(prefix)) return k.slice(prefix.length);
  return String(value);
}

/** Names of the bits set in `value`, from constants with `prefix`. */
export function flagNames(table: Record<string, number>, prefix: string, value: number): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(table))
    if (k.startsWith(prefix) && v !== 0 && (value & v) === v) out.push(k.slice(prefix.length));
  return out;
}
