// Proves the retry policy on conntrack list and delete with crafted kernel
// replies carrying NLM_F_DUMP_INTR (ctnetlink dumps were never seen flagged
// on the host kernel), on the fake kernel (test/helpers/fake-kernel.ts, as
// NETLINK_NETFILTER) answering with test/helpers/ctnetlink-msg.ts's flows:
// - list: an interrupted attempt is retried; exhaustion returns the last
//   results or throws DumpInterruptedError;
// - delete: an interrupted dump sends no delete (so a retried call never
//   deletes or counts a flow twice); the last attempt of 'return' deletes a
//   flow listed twice only once; 'throw' deletes nothing; each delete names
//   tuple + zone + CTA_ID; per-flow errors become one ConntrackDeleteError;
// - timeoutMs bounds a whole delete, retries included; a delete stopped by
//   the timeout or by close() rejects with a ConntrackDeleteError whose code
//   is 'ETIMEDOUT' / 'ERR_HANDLE_CLOSED' and whose .deleted counts the
//   acknowledged deletes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ConntrackDeleteError,
  ConntrackFilter,
  ConntrackOrigDstPort,
  ConntrackTable,
  DumpInterruptedError,
  FAMILY_V4,
  NETLINK_NETFILTER,
  NetlinkError,
} from '../../lib/index';
import { CT_DELETE, flowIdOf, flowMsg, type FlowSpec } from '../helpers/ctnetlink-msg';
import { FakeKernel, type FakeRequest, type Responder } from '../helpers/fake-kernel';
import { done, errorMsg, NLM_F_DUMP_INTR, NLM_F_MULTI } from '../helpers/netlink-msg';

/** A fake kernel speaking ctnetlink; each Handle takes one (it owns the core end). */
const fakeCt = (r: Responder): FakeKernel => new FakeKernel(r, { protocol: NETLINK_NETFILTER });

const A: FlowSpec = { sport: 1000, dport: 80, id: 0xa, zone: 3 };
const B: FlowSpec = { sport: 1001, dport: 443, id: 0xb };
const C: FlowSpec = { sport: 1002, dport: 80, id: 0xc };

/** Answers dump n (1-based) with `plan[n-1]`: flows and whether flagged; deletes with `errors`. */
function kernel(plan: { flows: FlowSpec[]; intr: boolean }[], errors: Map<number, number> = new Map()): Responder {
  let dumps = 0;
  return (r, k) => {
    if (r.type === CT_DELETE) {
      k.send(errorMsg(r, errors.get(flowIdOf(r.raw)) ?? 0));
      return;
    }
    const p = plan[Math.min(dumps++, plan.length - 1)];
    const msgs = p.flows.map((f, i) => flowMsg(r.seq, r.pid, f, NLM_F_MULTI | (p.intr && i === 0 ? NLM_F_DUMP_INTR : 0)));
    // Two datagrams and a separate DONE, as the kernel sends dumps.
    const half = Math.ceil(msgs.length / 2);
    if (half > 0) k.send(Buffer.concat(msgs.slice(0, half)));
    if (msgs.length > half) k.send(Buffer.concat(msgs.slice(half)));
    k.send(done(r.seq, r.pid, 0, undefined, NLM_F_MULTI | (p.intr && msgs.length === 0 ? NLM_F_DUMP_INTR : 0)));
  };
}

const deletesOf = (reqs: FakeRequest[]): FakeRequest[] => reqs.filter((r) => r.type === CT_DELETE);
const dumpsOf = (reqs: FakeRequest[]): FakeRequest[] => reqs.filter((r) => r.type !== CT_DELETE);
const port80 = (): ConntrackFilter => new ConntrackFilter().addProtocol(6).addPort(ConntrackOrigDstPort, 80);

test('list: an interrupted attempt is retried; exhaustion returns or throws', async () => {
  const k = fakeCt(
    kernel([
      { flows: [A], intr: true },
      { flows: [A, B, C], intr: false },
    ]),
  );
  const h = k.handle({ maxAttempts: 3 });
  try {
    const flows = await h.conntrackTableList(ConntrackTable, FAMILY_V4);
    assert.deepEqual(
      flows.map((f) => f.id),
      [0xa, 0xb, 0xc],
    );
    assert.equal(h.stats.interruptedAttempts, 1);
    assert.equal(dumpsOf(k.requests).length, 2);

    const warned: string[] = [];
    const k2 = fakeCt(kernel([{ flows: [A, B], intr: true }]));
    const h2 = k2.handle({ maxAttempts: 3, logger: { warn: (m) => void warned.push(m) } });
    const last = await h2.conntrackTableList(ConntrackTable, FAMILY_V4).finally(() => h2.close());
    assert.equal(last.length, 2, 'the last attempt is returned');
    assert.equal(warned.length, 1);
    assert.equal(dumpsOf(k2.requests).length, 3);
    k2.close();

    const k3 = fakeCt(kernel([{ flows: [C], intr: true }]));
    const h3 = k3.handle({ maxAttempts: 2, onInterrupted: 'throw' });
    await assert.rejects(
      h3.conntrackTableList(ConntrackTable, FAMILY_V4).finally(() => h3.close()),
      (e: unknown) => e instanceof DumpInterruptedError && e.attempts === 2 && (e.partial as { id: number }[])[0].id === 0xc,
    );
    k3.close();
  } finally {
    h.close();
    k.close();
  }
});

test('delete: interrupted dumps delete nothing; a retried delete counts each flow once', async () => {
  // Attempt 1 flagged (A and C match): no delete. Attempt 2 clean: deletes A and C.
  let k = fakeCt(
    kernel([
      { flows: [A, B, C], intr: true },
      { flows: [A, B, C], intr: false },
    ]),
  );
  let h = k.handle({ maxAttempts: 3 });
  try {
    assert.equal(await h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, port80()), 2);
    assert.equal(dumpsOf(k.requests).length, 2);
    const dels = deletesOf(k.requests);
    assert.equal(dels.length, 2, 'no delete after the interrupted dump');
    // Each delete names the flow: CTA_TUPLE_ORIG, CTA_ZONE (A's zone 3) and CTA_ID.
    const a = dels.find((d) => d.raw.includes(Buffer.from([8, 0, 12, 0, 0, 0, 0, 0xa]))) as FakeRequest;
    assert.ok(a, 'delete of A carries CTA_ID 0xa');
    assert.ok(a.raw.includes(Buffer.from([6, 0, 18, 0, 0, 3])), 'delete of A carries CTA_ZONE 3');
    assert.ok(a.raw.includes(Buffer.from([6, 0, 2, 0, 0x03, 0xe8])), 'delete of A names its source port 1000');
  } finally {
    h.close();
    k.close();
  }

  // Every attempt flagged, 'return': only the last attempt deletes, and a
  // flow the interrupted dump listed twice is deleted and counted once.
  k = fakeCt(kernel([{ flows: [A, A, B, C], intr: true }]));
  h = k.handle({ maxAttempts: 3, logger: { warn: () => undefined } });
  try {
    assert.equal(await h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, port80()), 2);
    assert.equal(dumpsOf(k.requests).length, 3);
    assert.equal(deletesOf(k.requests).length, 2);
    assert.equal(h.stats.exhaustedCalls, 1);
  } finally {
    h.close();
    k.close();
  }

  // Every attempt flagged, 'throw': nothing deleted at all.
  k = fakeCt(kernel([{ flows: [A, B, C], intr: true }]));
  h = k.handle({ maxAttempts: 2, onInterrupted: 'throw' });
  try {
    await assert.rejects(
      h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, port80()),
      (e: unknown) => e instanceof DumpInterruptedError && e.partial === 0,
    );
    assert.equal(deletesOf(k.requests).length, 0);
  } finally {
    h.close();
    k.close();
  }

  // The slow path (custom filter): the list is retried, then one exact delete.
  k = fakeCt(
    kernel([
      { flows: [A, B], intr: true },
      { flows: [A, B, C], intr: false },
    ]),
  );
  h = k.handle({ maxAttempts: 3 });
  try {
    const n = await h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, {
      matchConntrackFlow: (f) => f.forward.dstPort === 443 || f.id === 0xc,
    });
    assert.equal(n, 2);
    assert.equal(dumpsOf(k.requests).length, 2);
    assert.equal(deletesOf(k.requests).length, 2);
  } finally {
    h.close();
    k.close();
  }
});

test('delete: timeoutMs bounds the whole call, retries included; a stopped delete reports .deleted', async () => {
  const D: FlowSpec = { sport: 1003, dport: 80, id: 0xd };
  /** Dumps answered after `delayMs`; deletes acknowledged only for the ids in `acked`. */
  const slow = (plan: { flows: FlowSpec[]; intr: boolean }, delayMs: number, acked: Set<number>): Responder => {
    const inner = kernel([plan]);
    return (r, k) => {
      // A late answer may find the handle closed: k.send() then drops it.
      if (r.type !== CT_DELETE) k.later(delayMs, () => inner(r, k));
      else if (acked.has(flowIdOf(r.raw))) inner(r, k);
    };
  };
  const rejection = async (p: Promise<number>): Promise<[ConntrackDeleteError, number]> => {
    const t0 = performance.now();
    const e = await p.then(
      (n) => assert.fail(`resolved with ${n}`),
      (err: unknown) => err,
    );
    assert.ok(e instanceof ConntrackDeleteError, `a ConntrackDeleteError, got ${String(e)}`);
    return [e, performance.now() - t0];
  };

  // Every dump flagged and answered after 80 ms: 5 attempts would take
  // 400 ms, so a 200 ms call runs out during its retries and deletes nothing.
  let k = fakeCt(slow({ flows: [A, B, C], intr: true }, 80, new Set([0xa, 0xc])));
  let h = k.handle({ timeoutMs: 200, logger: { warn: () => undefined } });
  try {
    const [e, ms] = await rejection(h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, port80()));
    assert.equal(e.code, 'ETIMEDOUT');
    assert.equal(e.deleted, 0);
    assert.ok(ms < 200 + 150, `the whole call took ${ms.toFixed(0)} ms for timeoutMs 200`);
    assert.ok(dumpsOf(k.requests).length < 5, 'the retries stopped at the deadline');
    assert.equal(deletesOf(k.requests).length, 0);
  } finally {
    h.close();
    k.close();
  }

  // The kernel acknowledges A's delete, never C's and D's: the call stops at
  // the deadline and reports the one delete that was done.
  k = fakeCt(slow({ flows: [A, B, C, D], intr: false }, 0, new Set([0xa])));
  h = k.handle({ timeoutMs: 300 });
  try {
    const [e, ms] = await rejection(h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, port80()));
    assert.equal(e.code, 'ETIMEDOUT');
    assert.equal(e.errno, 110);
    assert.equal(e.deleted, 1);
    assert.deepEqual(e.errors, []);
    assert.equal((e as { cause?: NetlinkError }).cause?.code, 'ETIMEDOUT');
    assert.ok(ms < 300 + 150, `the whole call took ${ms.toFixed(0)} ms for timeoutMs 300`);
  } finally {
    h.close();
    k.close();
  }

  // The same through the custom-filter path (list in JS, exact deletes).
  k = fakeCt(slow({ flows: [A, B, C, D], intr: false }, 0, new Set([0xa, 0xb])));
  h = k.handle({ timeoutMs: 300 });
  try {
    const [e] = await rejection(h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, { matchConntrackFlow: () => true }));
    assert.equal(e.code, 'ETIMEDOUT');
    assert.equal(e.deleted, 2);
  } finally {
    h.close();
    k.close();
  }

  // close() while deletes are unanswered: ERR_HANDLE_CLOSED, with .deleted.
  k = fakeCt(slow({ flows: [A, B, C, D], intr: false }, 0, new Set([0xa])));
  h = k.handle({ timeoutMs: 10_000 });
  try {
    const p = h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, port80());
    while (deletesOf(k.requests).length < 3) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    h.close();
    const [e] = await rejection(p);
    assert.equal(e.code, 'ERR_HANDLE_CLOSED');
    assert.equal(e.deleted, 1);
  } finally {
    h.close();
    k.close();
  }
});

test('delete: per-flow errors are collected into one ConntrackDeleteError; ENOENT counts', async () => {
  const D: FlowSpec = { sport: 1003, dport: 80, id: 0xd };
  const k = fakeCt(
    kernel(
      [{ flows: [A, B, C, D], intr: false }],
      new Map([
        [0xa, -1],
        [0xc, -2],
      ]),
    ),
  );
  const h = k.handle({});
  try {
    await assert.rejects(h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, port80()), (e: unknown) => {
      assert.ok(e instanceof ConntrackDeleteError);
      assert.equal(e.code, 'ERR_CONNTRACK_DELETE');
      assert.equal(e.deleted, 2, 'D deleted, C already gone (ENOENT)');
      assert.equal(e.errors.length, 1);
      assert.equal(e.errors[0].code, 'EPERM');
      assert.match(e.errors[0].message, /sport=1000/);
      return true;
    });
    assert.equal(deletesOf(k.requests).length, 3, 'the other deletes were still sent');
  } finally {
    h.close();
    k.close();
  }
});
