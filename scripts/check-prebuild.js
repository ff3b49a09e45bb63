#!/usr/bin/env node
// Fails when the prebuilt binary in prebuilds/ was not built from the current
// src-native/ (its compiled-in source hash differs). Run by .ci/run on the
// committed prebuild before it is rebuilt, and by test/prebuild.test.ts.
'use strict';
const path = require('path');
const { sourceHash } = require('./source-hash');

const root = path.join(__dirname, '..');
const file = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'nlwrap.glibc.node');
const expected = sourceHash(root);
let actual;
try {
  actual = require(file).sourceHash;
} catch (err) {
  console.error(`cannot load the prebuild ${file}: ${err.message}`);
  process.exit(1);
}
if (actual !== expected) {
  console.error(
    `stale prebuild: ${file} has source hash ${actual}, src-native/ is ${expected}; run npm run prebuildify and commit it`,
  );
  process.exit(1);
}
console.log(`prebuild ${path.relative(root, file)} matches src-native/ (${expected})`);
