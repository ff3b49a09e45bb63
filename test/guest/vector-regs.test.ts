// Runs inside the user-mode-Linux guest (test/uml): proves that guest threads
// keep their own vector registers. UML moves each guest thread's vector state
// in and out of the host process through ptrace and the runner's xstate shim
// (test/uml/xstate-shim.c); two threads of one guest process, each with the
// widest registers the CPU has (zmm0-31 and k0-7 with AVX-512, else ymm0-15)
// full of its own pattern, hand the CPU to each other thousands of times and
// check every register each time (test/uml/vector-regs.c). If the state were
// shared between the threads, the other thread's bytes would show.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const ROUNDS = 20_000;

test('two guest threads keep their own vector registers across switches', () => {
  const dir = process.env.NLW_GUEST_BIN;
  assert.ok(dir, 'NLW_GUEST_BIN is not set: run through test/uml/run-guest.sh');
  const flags = /^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1].split(/\s+/) ?? [];
  assert.ok(flags.includes('avx'), `the guest's /proc/cpuinfo shows no avx: ${flags.join(' ')}`);
  const mode = flags.includes('avx512f') ? 'zmm' : 'ymm';
  const r = spawnSync(path.join(dir, 'vector-regs'), [String(ROUNDS)], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `vector-regs failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  assert.equal(r.stdout.trim(), `vector-regs: mode=${mode} bytes=${mode === 'zmm' ? 2064 : 512} threads=2 rounds=${ROUNDS} ok`);
});
