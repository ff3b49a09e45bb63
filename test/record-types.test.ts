// Proves that a schema field and its public TypeScript type cannot disagree
// silently: test/record-types.check.ts (the public types of lib/types/
// against the records generated from the native schemas) compiles; the same
// compile fails, naming the field, when a public type or a generated record
// is changed behind the other's back; and what that file declares about the
// records at run time holds on real records (captured kernel bytes and a
// live namespace): the fields it calls always present are never null, the
// narrowed ones take only the values it lists, and every object has exactly
// its schema's fields (a link: its kind's too).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { binding, type NativeSchema } from '../lib/binding';
import { ConntrackExpectTable, ConntrackTable, FAMILY_ALL, Handle, parse, RT_FILTER_TABLE } from '../lib/index';
import { NARROWED, PRESENT } from './record-types.check';
import { buildKernelObjects } from './helpers/kernel-objects';
import { createNetns, isRoot } from './helpers/netns';

const root = path.join(__dirname, '..');
const CHECK = path.join(__dirname, 'record-types.check.ts');

/** tsconfig.json's options, and its declaration files (lib/*.d.ts). */
function project(): { options: ts.CompilerOptions; declarations: string[] } {
  const file = path.join(root, 'tsconfig.json');
  const { config } = ts.readConfigFile(file, (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, { noEmit: true, rootDir: root });
  return { options: parsed.options, declarations: parsed.fileNames.filter((f) => f.endsWith('.d.ts')) };
}

/** Diagnostics of the check file, with `edits` (file -> [from, to]) applied to the sources it reads. */
function compileCheck(edits: Record<string, [string, string]> = {}, old?: ts.Program): { program: ts.Program; errors: string[] } {
  const { options, declarations } = project();
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, create) => {
    const edit = edits[path.resolve(name)];
    if (!edit) return getSourceFile(name, lang, onError, create);
    const text = fs.readFileSync(name, 'utf8');
    assert.ok(text.includes(edit[0]), `${name} no longer contains ${edit[0]}`);
    return ts.createSourceFile(name, text.replace(edit[0], edit[1]), lang);
  };
  const program = ts.createProgram({ rootNames: [CHECK, ...declarations], options, host, oldProgram: old });
  const errors = ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n') + (d.file ? ` (${path.basename(d.file.fileName)})` : ''));
  return { program, errors };
}

test('the public result types are the records generated from the native schemas (tsc)', () => {
  const { program, errors } = compileCheck();
  assert.deepEqual(errors, []);

  // A public type changed alone: the compile fails and names the field.
  const addr = path.join(root, 'lib', 'types', 'addr.ts');
  const pub = compileCheck({ [addr]: ['label: string | null;', 'label: string;'] }, program).errors;
  assert.ok(
    pub.some((e) => e.includes('"label"')),
    `a retyped Addr.label must fail the check: ${pub.join('\n')}`,
  );

  // A schema field renamed (as a native change and `npm run gen` would
  // make it) without the public type: the compile fails and names it.
  const records = path.join(root, 'lib', 'generated', 'records.ts');
  const gen = compileCheck({ [records]: ['  vxlanId: number | null;', '  vni: number | null;'] }, program).errors;
  assert.ok(
    gen.some((e) => e.includes('vxlan.vni') && e.includes('vxlan.vxlanId')),
    `a renamed vxlan field must fail the check: ${gen.join('\n')}`,
  );
});

// ---- the declarations, on real records ----

const schemas = new Map<string, NativeSchema>(binding.schemas.map((s) => [s.name, s]));
const present = PRESENT as Record<string, readonly string[]>;
const narrowed = NARROWED as Record<string, Record<string, readonly unknown[]>>;

/** Schema name -> objects seen, over everything walked. */
type Seen = Map<string, number>;

/**
 * Checks `obj` against schema `name` (and its variant schemas, chosen by a
 * link's `type` and `slaveType`), recursing into nested records.
 */
function walk(obj: Record<string, unknown>, name: string, seen: Seen, at: string): void {
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

function walkAll(objs: object[], name: string, seen: Seen, at: string): void {
  objs.forEach((o, i) => walk(o as Record<string, unknown>, name, seen, `${at}[${i}]`));
}

const fixture = (...p: string[]): Buffer => fs.readFileSync(path.join(__dirname, 'fixtures', ...p));

test('what the check file declares holds on captured kernel bytes', () => {
  const seen: Seen = new Map();
  walkAll(parse.links(fixture('links', 'dump-kinds.bin')), 'link', seen, 'dump-kinds');
  for (const k of ['uml-6.1', 'host-6.18'])
    walkAll(parse.xfrmPolicies(fixture('xfrm', k, 'getpolicy-dump.resp.bin')), 'xfrm_policy', seen, `${k} policies`);
  walkAll(parse.xfrmStates(fixture('xfrm', 'uml-6.1', 'getsa-dump.resp.bin')), 'xfrm_state', seen, 'uml-6.1 states');
  for (const s of ['link', 'link_stats', 'xfrm_policy', 'xfrm_tmpl', 'xfrm_state', 'xfrm_algo', 'xfrm_encap', 'xfrm_replay_esn'])
    assert.ok(seen.has(s), `the fixtures hold ${s} records`);
});

test('what the check file declares holds on records from the kernel', { skip: !isRoot && 'needs root' }, async () => {
  const ns = createNetns('rectypes');
  buildKernelObjects(ns);
  const h = new Handle({ netns: ns });
  const seen: Seen = new Map();
  try {
    walkAll(await h.linkList(), 'link', seen, 'links');
    walkAll(await h.addrList(null, FAMILY_ALL), 'addr', seen, 'addrs');
    walkAll(await h.routeListFiltered(FAMILY_ALL, { table: 0 }, RT_FILTER_TABLE), 'route', seen, 'routes');
    walkAll(await h.xfrmPolicyList(), 'xfrm_policy', seen, 'policies');
    walkAll(await h.conntrackTableList(ConntrackTable, FAMILY_ALL), 'ct_flow', seen, 'flows');
    walkAll(await h.conntrackTableList(ConntrackExpectTable, FAMILY_ALL), 'ct_flow', seen, 'expectations');
  } finally {
    h.close();
  }
  for (const s of ['link', 'bridge', 'vxlan', 'macvlan', 'tuntap', 'bridge_port', 'addr', 'route', 'route_nexthop'])
    assert.ok(seen.has(s), `the namespace made ${s} records`);
  for (const s of ['route_cacheinfo', 'xfrm_policy', 'xfrm_tmpl', 'ct_flow', 'ct_tuple', 'ct_protoinfo'])
    assert.ok(seen.has(s), `the namespace made ${s} records`);
});
