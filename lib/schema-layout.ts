// The record layout the addon declares (schema ids, cells, fields), written
// as one line per schema. scripts/gen-decoders.ts stores these lines in the
// decoders it generates, and the generated file compares them with the
// loaded addon's at load: an addon built from other sources than the
// decoders would otherwise make wrong objects without any error.
import type { NativeField, NativeSchema } from './binding';

function fieldLine(f: NativeField): string {
  let s = `${f.name}:${f.type}@${f.cell}`;
  if (f.child) s += `>${f.child}`;
  if (f.variants) {
    const keys = Object.keys(f.variants).sort();
    s += `{${keys.map((k) => `${k}=${f.variants![k]}`).join(',')}}`;
  }
  return s;
}

/** `name cells field:type@cell[>child][{key=schema,...}] ...` */
export function layoutLine(s: NativeSchema): string {
  return [s.name, String(s.cells), ...s.fields.map(fieldLine)].join(' ');
}

/** The first item (schema name, cell count or field) where two layout lines differ. */
function firstDifference(a: string, b: string): [string, string] {
  const x = a.split(' '),
    y = b.split(' ');
  for (let i = 0; ; i++) if (x[i] !== y[i]) return [x[i] ?? '(nothing)', y[i] ?? '(nothing)'];
}

/**
 * Throws when `schemas` (the loaded addon's) differ from `expected` (the
 * lines the generated decoders were made from), naming the first schema and
 * field that differ.
 */
export function checkLayout(schemas: readonly NativeSchema[], expected: readonly string[], generated: string): void {
  const n = Math.max(schemas.length, expected.length);
  for (let id = 0; id < n; id++) {
    const s = schemas[id];
    const got = s === undefined ? '(none)' : s.id !== id ? `(${s.name} has id ${s.id})` : layoutLine(s);
    const want = expected[id] ?? '(none)';
    if (got === want) continue;
    const [a, b] = firstDifference(got, want);
    throw new Error(
      `nlwrap: the native addon's record schemas differ from the decoders in ${generated}, ` +
        `so its results cannot be decoded: schema ${id} (${got.split(' ')[0]} in the addon, ` +
        `${want.split(' ')[0]} in ${generated}) has ${a} in the addon, ${b} in ${generated}. ` +
        'The addon and lib/ come from different sources: rebuild both (npm run build), ' +
        'or regenerate the decoders from this addon (npm run gen).',
    );
  }
}
