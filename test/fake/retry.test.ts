// Proves the retry contract (lib/retry.ts, DESIGN "The retry contract"):
// withRetries on scripted attempts (1..N interrupted, then clean or
// exhausted), 'throw' mode with .partial/.attempts, other errors stop at once,
// the logger gets the caller's stack, the default logger raises exactly one
// process warning (NLWRAP_DUMP_INTERRUPTED) and writes every call to
// debug('nlwrap'), and the counters in handle.stats. Then the same through a
// Handle over a fake binding and over the fake kernel's real socket core.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  binding,
  type NativeEnd,
  type NativeHandle,
  type NativeRead,
  type NativeRecords,
  type NativeStream,
} from '../../lib/binding';
import { DumpInterruptedError, NetlinkError } from '../../lib/errors';
import { Handle, type HandleOptions } from '../../lib/handle';
import { withRetries, type HandleStats, type InterruptedDetails, type RetryPolicy } from '../../lib/retry';
import { dumpOf, FakeKernel } from '../helpers/fake-kernel';
import { done, linkMsg } from '../helpers/netlink-msg';

type Warn = { message: string; details: InterruptedDetails };

function policy(maxAttempts: number, onInterrupted: 'return' | 'throw', warns: Warn[]): RetryPolicy {
  return {
    maxAttempts,
    onInterrupted,
    logger: { warn: (message, details) => warns.push({ message, details: details as InterruptedDetails }) },
  };
}

const zero = (): HandleStats => ({ calls: 0, interruptedAttempts: 0, exhaustedCalls: 0 });

/** Attempt i (1-based) is interrupted while i <= k; values are the attempt number. */
function scripted(k: number) {
  let n = 0;
  const fn = async (): Promise<{ value: number; interrupted: boolean }> => {
    n++;
    return { value: n, interrupted: n <= k };
  };
  return { fn, count: () => n };
}

describe('withRetries', () => {
  for (let k = 0; k < 5; k++) {
    test(`${k} interrupted attempt(s), then a clean one`, async () => {
      const warns: Warn[] = [];
      const stats = zero();
      const s = scripted(k);
      const v = await withRetries('linkList', policy(5, 'return', warns), stats, {}, s.fn);
      assert.equal(v, k + 1, 'the clean attempt’s value');
      assert.equal(s.count(), k + 1);
      assert.deepEqual(stats, { calls: 0, interruptedAttempts: k, exhaustedCalls: 0 });
      assert.equal(warns.length, 0);
    });
  }

  for (const n of [1, 2, 5, 7]) {
    test(`every one of ${n} attempts interrupted: the last results, logged with the caller's stack`, async () => {
      const warns: Warn[] = [];
      const stats = zero();
      const s = scripted(Infinity);
      async function someAgentLoop(): Promise<number> {
        const site: { stack?: string } = {};
        Error.captureStackTrace(site);
        return withRetries('addrList', policy(n, 'return', warns), stats, site, s.fn);
      }
      const v = await someAgentLoop();
      assert.equal(v, n, 'the last attempt’s value');
      assert.equal(s.count(), n);
      assert.deepEqual(stats, { calls: 0, interruptedAttempts: n, exhaustedCalls: 1 });
      assert.equal(warns.length, 1);
      assert.match(warns[0].message, new RegExp(`addrList was interrupted \\(NLM_F_DUMP_INTR\\) ${n} times`));
      assert.equal(warns[0].details.op, 'addrList');
      assert.equal(warns[0].details.attempts, n);
      assert.match(warns[0].details.stack, /someAgentLoop/);
      assert.doesNotMatch(warns[0].details.stack, /^Error/, 'the stack frames only');
    });
  }

  test("'throw': DumpInterruptedError with .partial and .attempts, nothing logged", async () => {
    const warns: Warn[] = [];
    const stats = zero();
    const err = await withRetries('routeList', policy(3, 'throw', warns), stats, {}, async () => ({
      value: ['x'],
      interrupted: true,
    })).catch((e: unknown) => e);
    assert.ok(err instanceof DumpInterruptedError);
    assert.ok(err instanceof NetlinkError);
    assert.equal(err.code, 'NLM_F_DUMP_INTR');
    assert.equal(err.op, 'routeList');
    assert.equal(err.attempts, 3);
    assert.deepEqual(err.partial, ['x']);
    assert.deepEqual(stats, { calls: 0, interruptedAttempts: 3, exhaustedCalls: 1 });
    assert.equal(warns.length, 0);
  });

  test("'throw' after a clean retry does not throw", async () => {
    const s = scripted(2);
    assert.equal(await withRetries('x', policy(3, 'throw', []), zero(), {}, s.fn), 3);
  });

  test('any other error stops at once and is thrown unchanged', async () => {
    let n = 0;
    const boom = new NetlinkError('x: EPERM', 'EPERM', 1, 'x');
    const stats = zero();
    const err = await withRetries('x', policy(5, 'return', []), stats, {}, async () => {
      if (++n === 2) throw boom;
      return { value: 0, interrupted: true };
    }).catch((e: unknown) => e);
    assert.equal(err, boom);
    assert.equal(n, 2);
    assert.deepEqual(stats, { calls: 0, interruptedAttempts: 1, exhaustedCalls: 0 });
  });

  test('default logger: one process warning NLWRAP_DUMP_INTERRUPTED per process, every call to debug(nlwrap)', () => {
    const child = path.join(__dirname, '..', 'helpers', 'retry-child.ts');
    const out = execFileSync(process.execPath, ['--import', 'tsx', child], {
      encoding: 'utf8',
      env: { ...process.env, DEBUG: 'nlwrap', DEBUG_COLORS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { warnings } = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
      warnings: { code?: string; message: string; detail?: string }[];
    };
    const ours = warnings.filter((w) => w.code === 'NLWRAP_DUMP_INTERRUPTED');
    assert.equal(ours.length, 1, JSON.stringify(warnings));
    assert.match(ours[0].message, /linkList was interrupted/);
    assert.match(ours[0].detail ?? '', /callerOfNlwrap/);
  });

  test('default logger writes each exhausted call to debug(nlwrap) with the stack', () => {
    const child = path.join(__dirname, '..', 'helpers', 'retry-child.ts');
    const r = spawnSync(process.execPath, ['--no-warnings', '--import', 'tsx', child], {
      encoding: 'utf8',
      env: { ...process.env, DEBUG: 'nlwrap', DEBUG_COLORS: '0' },
    });
    assert.equal(r.status, 0);
    const lines = r.stderr.split('\n').filter((l) => /nlwrap: linkList was interrupted/.test(l));
    assert.equal(lines.length, 3, r.stderr);
    assert.match(r.stderr, /callerOfNlwrap/);
  });
});

/** A stream of `n` crafted links, as the addon would hand them over. */
function reply(n: number, interrupted: boolean): NativeStream {
  const msgs = Array.from({ length: n }, (_, i) => linkMsg(1, 1, i + 1, `l${i}`));
  const records: NativeRecords = binding.parse('links', Buffer.concat([...msgs, done(1, 1)]));
  const end: NativeEnd = {
    ok: true,
    cancelled: false,
    interrupted,
    bytes: 100,
    datagrams: 1,
    messages: n,
    result: 0,
    error: null,
  };
  return {
    read: (): Promise<NativeRead> => Promise.resolve({ items: [records], end }),
    close: () => undefined,
    ref: () => undefined,
    unref: () => undefined,
    progress: () => ({ bytes: 100, datagrams: 1 }),
  };
}

/** A Handle over a fake native binding whose call() follows `script` (true = interrupted). */
function fakeBindingHandle(script: boolean[], options: HandleOptions = {}): { h: Handle; calls: () => number } {
  let i = 0;
  class FakeNative implements NativeHandle {
    closed = false;
    start(): NativeStream {
      const intr = script[Math.min(i, script.length - 1)];
      i++;
      return reply(2 + i, intr);
    }
    subscribe(): NativeStream {
      throw new Error('not in this fake');
    }
    close(): void {
      this.closed = true;
    }
  }
  return { h: new Handle(options, () => new FakeNative()), calls: () => i };
}

describe('through a Handle', () => {
  test('fake binding: counters over several calls', async () => {
    const warns: Warn[] = [];
    const { h, calls } = fakeBindingHandle([true, true, false, true, true, true], {
      maxAttempts: 3,
      logger: { warn: (m, d) => warns.push({ message: m, details: d as InterruptedDetails }) },
    });
    const a = await h.linkList(); // attempts 1,2 interrupted, 3 clean
    assert.equal(a.length, 5);
    const b = await h.linkList(); // attempts 4,5,6 interrupted: exhausted
    assert.equal(b.length, 8, 'the last attempt’s links');
    assert.equal(calls(), 6);
    const s = h.stats;
    assert.deepEqual(
      { calls: s.calls, interruptedAttempts: s.interruptedAttempts, exhaustedCalls: s.exhaustedCalls },
      { calls: 2, interruptedAttempts: 5, exhaustedCalls: 1 },
    );
    assert.equal(s.bytesReceived, 600);
    assert.equal(warns.length, 1);
    assert.match(warns[0].details.stack, /retry\.test\.ts/, 'the stack is the caller’s');
    assert.doesNotMatch(warns[0].details.stack.split('\n')[0], /handle\.ts/, 'starting at the caller, not inside nlwrap');
  });

  test("fake binding: 'throw' rejects with the last links as .partial", async () => {
    const { h } = fakeBindingHandle([true], { maxAttempts: 4, onInterrupted: 'throw' });
    const err = await h.linkList().catch((e: unknown) => e);
    assert.ok(err instanceof DumpInterruptedError);
    assert.equal(err.attempts, 4);
    assert.equal((err.partial as { name: string }[]).length, 6);
    assert.equal(h.stats.exhaustedCalls, 1);
  });

  test("fake kernel (real socket core): 'throw' after maxAttempts interrupted dumps", async () => {
    const k = new FakeKernel(dumpOf(3, { intrOn: 'middle' }));
    try {
      const h = k.handle({ maxAttempts: 2, onInterrupted: 'throw', timeoutMs: 2000 });
      const err = await h.linkList().catch((e: unknown) => e);
      assert.ok(err instanceof DumpInterruptedError);
      assert.equal(k.requests.length, 2);
      assert.deepEqual(
        (err.partial as { name: string }[]).map((l) => l.name),
        ['fk0', 'fk1', 'fk2'],
      );
      assert.deepEqual(
        { calls: h.stats.calls, interruptedAttempts: h.stats.interruptedAttempts, exhaustedCalls: h.stats.exhaustedCalls },
        { calls: 1, interruptedAttempts: 2, exhaustedCalls: 1 },
      );
      h.close();
    } finally {
      k.close();
    }
  });
});
