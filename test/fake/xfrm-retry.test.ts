// Proves the retry policy on XFRM dumps with crafted kernel replies: the fake
// kernel (test/helpers/fake-kernel.ts, as NETLINK_XFRM) answers
// xfrm.policy.dump / xfrm.state.dump with real captured messages (the 6.18
// policy dump, the 6.1 state dump) carrying NLM_F_DUMP_INTR on a data
// message or on NLMSG_DONE only. The socket core latches the flag, the
// facade's retry loop (the same withRetries Handle's dumps use) makes up to
// maxAttempts complete attempts, returns the last results with one warning,
// or rejects with DumpInterruptedError (.partial, .attempts); family
// filtering holds on every attempt. The real kernels never flagged XFRM
// dumps (6.18 host, 6.1 guest under churn), so this is the only way to
// exercise it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { NativeHandle } from '../../lib/binding';
import { NETLINK_XFRM } from '../../lib/index';
import { nativeRequest } from '../../lib/native-request';
import { withRetries, type HandleStats } from '../../lib/retry';
import { FakeKernel } from '../helpers/fake-kernel';
import { done, NLM_F_DUMP_INTR, NLM_F_MULTI } from '../helpers/netlink-msg';

const XFRM_MSG_GETPOLICY = 0x15;

/** The first `end` bytes of a captured reply, split into its messages. */
function messages(file: string, end: number): Buffer[] {
  const buf = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'xfrm', file)).subarray(0, end);
  const out: Buffer[] = [];
  for (let off = 0; off < buf.length; off += (buf.readUInt32LE(off) + 3) & ~3)
    out.push(Buffer.from(buf.subarray(off, off + buf.readUInt32LE(off))));
  return out;
}
const policies = messages('host-6.18/getpolicy-dump.resp.bin', 1336);
const states = messages('uml-6.1/getsa-dump.resp.bin', 3712);

/**
 * One plan entry per request: '0' a clean dump, '1' NLM_F_DUMP_INTR on the
 * second data message, 'd' on NLMSG_DONE only; '0' past the plan's end.
 */
function xfrmKernel(plan: string[]): FakeKernel {
  return new FakeKernel(
    (req, k) => {
      const mode = plan[k.requests.length - 1] ?? '0';
      const data = (req.type === XFRM_MSG_GETPOLICY ? policies : states).map((m, i) => {
        const b = Buffer.from(m);
        b.writeUInt16LE(NLM_F_MULTI | (mode === '1' && i === 1 ? NLM_F_DUMP_INTR : 0), 6);
        b.writeUInt32LE(req.seq, 8);
        b.writeUInt32LE(req.pid, 12);
        return b;
      });
      k.send(Buffer.concat(data));
      k.send(done(req.seq, req.pid, 0, undefined, NLM_F_MULTI | (mode === 'd' ? NLM_F_DUMP_INTR : 0)));
    },
    { protocol: NETLINK_XFRM },
  );
}

interface Outcome {
  attempts: number;
  stats: HandleStats;
  warnings: string[];
  n?: number;
  families?: number[];
  error?: { name: string; code: string; attempts: number; partial: number };
}

async function run(
  nh: NativeHandle,
  op: 'xfrm.policy.dump' | 'xfrm.state.dump',
  family: number,
  onInterrupted: 'return' | 'throw',
): Promise<Outcome> {
  const stats: HandleStats = { calls: 1, interruptedAttempts: 0, exhaustedCalls: 0 };
  const warnings: string[] = [];
  const policy = { maxAttempts: 5, onInterrupted, logger: { warn: (m: string) => void warnings.push(m) } };
  let attempts = 0;
  try {
    const items = await withRetries(op, policy, stats, {}, async () => {
      attempts++;
      const root = op === 'xfrm.policy.dump' ? 'xfrm_policy' : 'xfrm_state';
      const r = await nativeRequest(nh, op, op, { family }, 5000, root);
      return { value: r.items, interrupted: r.reply.interrupted };
    });
    return { attempts, stats, warnings, n: items.length, families: items.map((x) => x.family) };
  } catch (e) {
    const err = e as { name: string; code: string; attempts: number; partial?: unknown[] };
    return {
      attempts,
      stats,
      warnings,
      error: { name: err.name, code: err.code, attempts: err.attempts, partial: err.partial?.length ?? 0 },
    };
  }
}

test('XFRM dumps flagged NLM_F_DUMP_INTR are retried, then returned or thrown', async () => {
  const k = xfrmKernel(['d', '1', '0', '1', '1', '1', '1', '1', '1', 'd', '1', 'd', '1', '0']);
  const nh = k.native();
  try {
    const a = await run(nh, 'xfrm.policy.dump', 0, 'return'); // plan: d,1,0
    const b = await run(nh, 'xfrm.state.dump', 10, 'return'); // plan: 1 x5
    const c = await run(nh, 'xfrm.policy.dump', 2, 'throw'); // plan: 1,d,1,d,1
    const d = await run(nh, 'xfrm.state.dump', 0, 'throw'); // plan: 0
    assert.equal(k.requests.length, 14);
    // Two flagged attempts (once on DONE only), the third clean: its results.
    assert.deepEqual([a.attempts, a.stats.interruptedAttempts, a.stats.exhaustedCalls, a.n, a.warnings.length], [3, 2, 0, 5, 0]);
    // Every attempt flagged: the last results (the two IPv6 SAs) and one warning.
    assert.deepEqual([b.attempts, b.stats.interruptedAttempts, b.stats.exhaustedCalls, b.n, b.families], [5, 5, 1, 2, [10, 10]]);
    assert.equal(b.warnings.length, 1);
    assert.match(b.warnings[0], /xfrm\.state\.dump was interrupted \(NLM_F_DUMP_INTR\) 5 times/);
    // onInterrupted 'throw': DumpInterruptedError with the last (filtered) results.
    assert.deepEqual(c.error, { name: 'DumpInterruptedError', code: 'NLM_F_DUMP_INTR', attempts: 5, partial: 4 });
    assert.equal(c.attempts, 5);
    // A clean dump goes through once.
    assert.deepEqual([d.attempts, d.n, d.stats.interruptedAttempts], [1, 9, 0]);
  } finally {
    nh.close();
    k.close();
  }
});
