// Proves the request builder (src-native/request.cc) checks lengths: an
// attribute or a nest over 65 535 bytes is an error with a reason, never a
// wrapped nla_len sent to the kernel. Needs g++ (build-essential).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

test('RequestBuilder refuses attributes and nests that do not fit nla_len', () => {
  const root = path.join(__dirname, '..', '..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlw-request-'));
  try {
    const exe = path.join(dir, 'request_check');
    execFileSync('g++', [
      '-O1',
      '-std=c++17',
      '-Wall',
      '-o',
      exe,
      path.join(root, 'test/native/request_check.cc'),
      path.join(root, 'src-native/request.cc'),
    ]);
    const out = execFileSync(exe, { encoding: 'utf8' });
    assert.match(out, /^ok$/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
