#!/usr/bin/env node
// Prints a SHA-256 over everything that goes into the native addon
// (src-native/: sources, headers, the exports map; and binding.gyp).
// binding.gyp compiles it into the binary, and test/package/prebuild.test.ts
// compares the committed prebuild's hash with the sources, so a stale
// prebuild cannot go unnoticed.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

function sourceHash(root) {
  const dir = path.join(root, 'src-native');
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.(cc|h|map)$/.test(f))
    .sort();
  const h = crypto.createHash('sha256');
  for (const f of [...files.map((f) => path.join('src-native', f)), 'binding.gyp']) {
    h.update(f + '\0');
    h.update(fs.readFileSync(path.join(root, f)));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

if (require.main === module) process.stdout.write(sourceHash(path.join(__dirname, '..')));
module.exports = { sourceHash };
