// Proves the committed prebuild is built from the current src-native/ (its
// compiled-in source hash matches), and that the package loads from both
// CommonJS and ES modules with the same exports.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

const root = path.join(__dirname, '..');

test('the prebuild matches src-native/', () => {
  const out = execFileSync(process.execPath, [path.join(root, 'scripts', 'check-prebuild.js')], { encoding: 'utf8' });
  assert.match(out, /matches src-native/);
});

test('require() and import give the same named exports', () => {
  const script = `
    const cjs = require(${JSON.stringify(root)});
    import(${JSON.stringify(path.join(root, 'dist', 'index.mjs'))}).then((esm) => {
      const a = Object.keys(cjs).sort().join(','), b = Object.keys(esm).sort().join(',');
      if (a !== b) { console.error(a, '!=', b); process.exit(1); }
      if (typeof esm.Handle !== 'function' || typeof esm.linkList !== 'function') process.exit(1);
      console.log('ok', Object.keys(cjs).length);
    });`;
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.match(out, /^ok \d+/);
});
