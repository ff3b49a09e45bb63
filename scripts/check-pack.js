#!/usr/bin/env node
// Fails when the npm tarball lacks what users need (both prebuilds, the
// entries and their types, the install step, LICENSE) or holds what they do
// not (tests, benches, CI, TypeScript configs). Prints its size.
//   node scripts/check-pack.js     (runs npm pack --dry-run)
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');

const REQUIRED = [
  'LICENSE',
  'README.md',
  'package.json',
  'binding.gyp',
  'bin/nlwrap.js',
  'dist/index.js',
  'dist/index.d.ts',
  'dist/index.mjs',
  'dist/index.d.mts',
  'prebuilds/linux-x64/nlwrap.glibc.node',
  'prebuilds/linux-arm64/nlwrap.glibc.node',
  'scripts/install.js',
  'scripts/source-hash.js',
];
const FORBIDDEN = /^(test|bench|fuzz|build|\.ci)\/|(^|\/)tsconfig[^/]*\.json$|^scripts\/(?!install\.js$|source-hash\.js$)/;

const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
  cwd: path.join(__dirname, '..'),
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
const [pack] = JSON.parse(out);
const files = pack.files.map((f) => f.path);
const missing = REQUIRED.filter((f) => !files.includes(f));
const extra = files.filter((f) => FORBIDDEN.test(f));
if (missing.length || extra.length) {
  if (missing.length) console.error(`the tarball lacks ${missing.join(', ')}`);
  if (extra.length) console.error(`the tarball holds files users do not need: ${extra.join(', ')}`);
  process.exit(1);
}
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`${pack.filename}: ${pack.entryCount} files, ${kib(pack.size)} packed, ${kib(pack.unpackedSize)} unpacked`);
