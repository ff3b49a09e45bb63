// Walks decoded records against their native schemas and what
// test/unit/record-types.check.ts declares about them (fields always
// present, narrowed values): test/unit/record-types.test.ts on captured
// bytes, test/kernel/record-types.test.ts on a live namespace.
import assert from 'node:assert/strict';
import { binding, type NativeSchema } from '../../lib/binding';
import { NARROWED, PRESENT } from '../unit/record-types.check';

const schemas = new Map<string, NativeSchema>(binding.schemas.map((s) => [s.name, s]));
const present = PRESENT as Record<string, readonly string[]>;
const narrowed = NARROWED as Record<string, Record<string, readonly unknown[]>>;

/** Schema name -> objects seen, over everything walked. */
export type Seen = Map<string, number>;

/**
 * Checks `obj` against schema `name` (and its variant schemas, chosen by a
 * link's `type` and `slaveType`), recursing into nested records.
 */
export function walk(obj: Record<string, unknown>, name: string, seen: Seen, at: string): void {
  const schema = schemas.get(name)!;
  seen.set(name, (seen.get(name) ?? 0) + 1);
  const expected = schema.fields.filter((f) => f.type !== 'variant').map((f) => f.name);
  for (const f of schema.fields) {
    const v = obj[f.name];
    if (f.type === 'variant') {
      const kind = f.variants![obj.type as string];
      if (kind === undefined) continue;
      expected.push(...schemas.get(kind)!.fields.map((kf) => kf.name));
      walk(Object.fromEntries(schemas.get(kind)!.fields.map((kf) => [kf.name, obj[kf.name]])), kind, seen, `${at}(${kind})`);
      continue;
    }
    if (v === null) continue;
    if (f.type === 'obj') walk(v as Record<string, unknown>, f.child, seen, `${at}.${f.name}`);
    if (f.type === 'list')
      for (const [i, e] of (v as Record<string, unknown>[]).entries()) walk(e, f.child, seen, `${at}.${f.name}[${i}]`);
    if (f.type === 'variantobj')
      walk(v as Record<string, unknown>, f.variants![obj.slaveType as string], seen, `${at}.${f.name}`);
  }
  // Object.getOwnPropertyNames: an XFRM key is non-enumerable, still there.
  assert.deepEqual(Object.getOwnPropertyNames(obj).sort(), [...new Set(expected)].sort(), `${at}: the fields of ${name}`);
  for (const f of present[name] ?? []) assert.notEqual(obj[f], null, `${at}.${f} is declared always present`);
  for (const [f, values] of Object.entries(narrowed[name] ?? {}))
    assert.ok(obj[f] === null || values.includes(obj[f]), `${at}.${f} = ${String(obj[f])}, declared one of ${values.join(', ')}`);
}

export function walkAll(objs: object[], name: string, seen: Seen, at: string): void {
  objs.forEach((o, i) => walk(o as Record<string, unknown>, name, seen, `${at}[${i}]`));
}
