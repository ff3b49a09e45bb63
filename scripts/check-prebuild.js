#!/usr/bin/env node
// Fails when a prebuilt binary in prebuilds/ was not built from the current
// src-native/ (its compiled-in source hash differs). Run by .ci/run on the
// committed prebuilds before they are rebuilt, and by test/package/prebuild.test.ts.
// The binary for this machine is loaded and asked for its hash; the others
// (arm64 on an x64 host) cannot be loaded here, so their bytes must hold the
// current hash string, which binding.gyp compiles in as it does for all.
'use strict';
const fs = require('fs');
const path = require('path');
const { sourceHash } = require('./source-hash');

const root = path.join(__dirname, '..');
const expected = sourceHash(root);
const ARCHS = ['x64', 'arm64'];
let failed = false;
for (const arch of ARCHS) {
  const file = path.join(root, 'prebuilds', `linux-${arch}`, 'nlwrap.glibc.node');
  const name = path.relative(root, file);
  let actual;
  if (!fs.existsSync(file)) {
    console.error(`missing prebuild ${name}; run npm run prebuildify and commit it`);
    failed = true;
    continue;
  }
  if (process.platform === 'linux' && process.arch === arch) {
    try {
      actual = require(file).sourceHash;
    } catch (err) {
      console.error(`cannot load the prebuild ${name}: ${err.message}`);
      failed = true;
      continue;
    }
  } else {
    actual = fs.readFileSync(file).includes(Buffer.from(expected + '\0')) ? expected : 'not the current one';
  }
  if (actual !== expected) {
    console.error(
      `stale prebuild: ${name}'s source hash is ${actual}, src-native/ is ${expected}; run npm run prebuildify and commit it`,
    );
    failed = true;
  } else {
    console.log(`prebuild ${name} matches src-native/ (${expected})`);
  }
}
process.exit(failed ? 1 : 0);
