// Proves the package's two entries have the types each resolution mode sees:
// in an ES-module project (`"type": "module"`, module node16) the named
// imports type-check and run, and `import nl from 'nlwrap'`, which has no
// default export at run time, is a type error (dist/index.d.mts), not a
// crash; a CommonJS project type-checks require() of the same names.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

const root = path.join(__dirname, '..', '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nlwrap-types-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A project using nlwrap from `dir`, with `files`; returns tsc's status and output. */
function project(
  name: string,
  type: 'module' | 'commonjs',
  files: Record<string, string>,
): { dir: string; status: number | null; out: string } {
  const dir = path.join(tmp, name);
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.symlinkSync(root, path.join(dir, 'node_modules', 'nlwrap'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, type, private: true }));
  const compilerOptions = {
    module: 'node16',
    target: 'es2022',
    strict: true,
    skipLibCheck: true,
    types: [],
    typeRoots: [path.join(root, 'node_modules', '@types')],
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: Object.keys(files) }));
  for (const [f, src] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), src);
  const r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
  return { dir, status: r.status, out: r.stdout + r.stderr };
}

test('an ES-module project: named imports type-check and run', () => {
  const p = project('esm-named', 'module', {
    'main.ts': [
      "import { Handle, linkList, NETLINK_ROUTE, NetlinkError, type Link } from 'nlwrap';",
      'const f: () => Promise<Link[]> = linkList;',
      'console.log(typeof Handle, typeof f, NETLINK_ROUTE, typeof NetlinkError);',
      '',
    ].join('\n'),
  });
  assert.equal(p.status, 0, p.out);
  const out = execFileSync(process.execPath, [path.join(p.dir, 'main.js')], {
    encoding: 'utf8',
    env: { ...process.env, PREBUILDS_ONLY: '1' },
  });
  assert.equal(out, 'function function 0 function\n');
});

test('an ES-module project: the default import is a type error, as it fails at run time', () => {
  const p = project('esm-default', 'module', { 'main.ts': "import nl from 'nlwrap';\nconsole.log(nl);\n" });
  assert.notEqual(p.status, 0);
  assert.match(p.out, /TS1192: Module '"[^"]*"' has no default export/);
  fs.writeFileSync(path.join(p.dir, 'main.mjs'), "import nl from 'nlwrap';\nconsole.log(nl);\n");
  const run = spawnSync(process.execPath, [path.join(p.dir, 'main.mjs')], { encoding: 'utf8' });
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /does not provide an export named 'default'/);
});

test('a CommonJS project: require() type-checks and runs', () => {
  const p = project('cjs', 'commonjs', {
    'main.ts': "import nl = require('nlwrap');\nconsole.log(typeof nl.Handle, typeof nl.linkList, nl.NETLINK_XFRM);\n",
  });
  assert.equal(p.status, 0, p.out);
  const out = execFileSync(process.execPath, [path.join(p.dir, 'main.js')], {
    encoding: 'utf8',
    env: { ...process.env, PREBUILDS_ONLY: '1' },
  });
  assert.equal(out, 'function function 6\n');
});
