// Proves the hand-written IP formatter (src-native/inet.cc) prints exactly
// what glibc's inet_ntop (and so iproute2) prints, on edge cases and a
// million random IPv4 and IPv6 addresses. Needs g++ (build-essential).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

test('format_ip agrees with inet_ntop', () => {
  const root = path.join(__dirname, '..', '..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlw-inet-'));
  try {
    const exe = path.join(dir, 'inet_check');
    execFileSync('g++', [
      '-O2',
      '-std=c++17',
      '-o',
      exe,
      path.join(root, 'test/native/inet_check.cc'),
      path.join(root, 'src-native/inet.cc'),
    ]);
    const out = execFileSync(exe, { encoding: 'utf8' });
    assert.match(out, /^ok \d+/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
