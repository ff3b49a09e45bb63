// Proves that a schema field and its public TypeScript type cannot disagree
// silently: test/unit/record-types.check.ts (the public types of lib/types/
// against the records generated from the native schemas) compiles; the same
// compile fails, naming the field, when a public type or a generated record
// is changed behind the other's back; and what that file declares about the
// records at run time holds on captured kernel bytes (on a live namespace:
// test/kernel/record-types.test.ts): the fields it calls always present are
// never null, the narrowed ones take only the values it lists, and every
// object has exactly its schema's fields (a link: its kind's too).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { parse } from '../../lib/index';
import { walkAll, type Seen } from '../helpers/record-walk';

const root = path.join(__dirname, '..', '..');
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

const fixture = (...p: string[]): Buffer => fs.readFileSync(path.join(__dirname, '..', 'fixtures', ...p));

test('what the check file declares holds on captured kernel bytes', () => {
  const seen: Seen = new Map();
  walkAll(parse.links(fixture('links', 'dump-kinds.bin')), 'link', seen, 'dump-kinds');
  for (const k of ['uml-6.1', 'host-6.18'])
    walkAll(parse.xfrmPolicies(fixture('xfrm', k, 'getpolicy-dump.resp.bin')), 'xfrm_policy', seen, `${k} policies`);
  walkAll(parse.xfrmStates(fixture('xfrm', 'uml-6.1', 'getsa-dump.resp.bin')), 'xfrm_state', seen, 'uml-6.1 states');
  for (const s of ['link', 'link_stats', 'xfrm_policy', 'xfrm_tmpl', 'xfrm_state', 'xfrm_algo', 'xfrm_encap', 'xfrm_replay_esn'])
    assert.ok(seen.has(s), `the fixtures hold ${s} records`);
});
