// Proves nlwrap does not leak: a child `node --expose-gc` runs N calls
// (LEAK_ITERATIONS: 2 000 in `npm test`, 10 000 in CI's `npm run test:leak`;
// a conntrack dump walks the whole conntrack hash table, ~13 ms of kernel
// time even when empty, so 10 000 of them alone take minutes) of every kind that exists on Handle (test/helpers/leak-workload.ts: link
// dump, by name, by index, and each family's list call once merged), 10 000
// parse.links, and fault cases on the fake kernel, in two equal halves after
// a warm-up. Between the halves' ends, after forced GCs, the bounds are:
//   JS heap (heapUsed)            < 512 KiB  (~16 bytes per call; one leaked
//                                             Promise per call was ~50)
//   external + ArrayBuffers       <  64 KiB  (every result's buffers freed)
//   RSS                           <  24 MiB  (glibc arenas and namespace
//                                             threads make RSS noisy; a leak
//                                             of one 16 KiB reply per call
//                                             would be 250 MiB)
// Small native leaks are LeakSanitizer's job (npm run test:asan, where the
// RSS bound is not checked: ASan's quarantine keeps freed memory resident).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { isRoot } from '../helpers/netns';

const ITERATIONS = Number(process.env.LEAK_ITERATIONS ?? 2_000);
const MiB = 2 ** 20;

interface Mem {
  rss: number;
  external: number;
  heapUsed: number;
}

test(`${ITERATIONS} calls of each kind: memory stays flat`, { skip: !isRoot && 'needs root', timeout: 600_000 }, (t) => {
  const r = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      path.join(__dirname, '..', 'helpers', 'leak-workload.ts'),
      '--iterations',
      String(ITERATIONS),
      '--faults',
    ],
    { encoding: 'utf8', env: { ...process.env, MALLOC_ARENA_MAX: '2' }, timeout: 590_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
    calls: Record<string, number>;
    skipped: string[];
    seconds: number;
    before: Mem;
    mid: Mem;
    after: Mem;
  };
  const d = (k: keyof Mem): number => out.after[k] - out.mid[k];
  t.diagnostic(`calls ${JSON.stringify(out.calls)} in ${out.seconds} s; not on Handle yet: ${out.skipped.join(', ') || 'none'}`);
  t.diagnostic(
    `second half: rss ${(d('rss') / MiB).toFixed(1)} MiB, external ${(d('external') / 1024).toFixed(1)} KiB, heapUsed ${(d('heapUsed') / 1024).toFixed(1)} KiB` +
      ` (rss ${(out.before.rss / MiB).toFixed(1)} → ${(out.mid.rss / MiB).toFixed(1)} → ${(out.after.rss / MiB).toFixed(1)} MiB)`,
  );
  assert.ok(out.calls.linkList === ITERATIONS && out.calls['parse.links'] === ITERATIONS);
  assert.ok(d('heapUsed') < 512 * 1024, `JS heap grew ${d('heapUsed')} bytes`);
  assert.ok(d('external') < 64 * 1024, `external memory grew ${d('external')} bytes`);
  // Under test:asan, RSS holds ASan's quarantine of freed blocks: not a leak
  // measure there (LeakSanitizer is).
  if (!process.env.NLWRAP_SANITIZED) assert.ok(d('rss') < 24 * MiB, `RSS grew ${(d('rss') / MiB).toFixed(1)} MiB`);
});
