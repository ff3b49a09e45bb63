// Proves the retry policy on conntrack list and delete with crafted kernel
// replies carrying NLM_F_DUMP_INTR (ctnetlink dumps were never seen flagged
// on the host kernel), plus the parser on crafted bytes:
// - parse.conntrack decodes crafted flows and expectations, big-endian, by
//   attribute type in any order, and rejects malformed bytes with EBADMSG;
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
// The fake kernel is one end of an AF_UNIX SOCK_DGRAM socketpair handed to
// NativeHandle({ fakeKernelFd, protocol, port }). Node cannot make a
// socketpair, so this file re-runs itself under a python3 parent that makes
// one and passes both fds down (NLW_CT_FAKE_FDS).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readSync, writeSync } from 'node:fs';
import { test } from 'node:test';
import {
  ConntrackDeleteError,
  ConntrackFilter,
  ConntrackOrigDstPort,
  ConntrackTable,
  DumpInterruptedError,
  FAMILY_V4,
  Handle,
  NETLINK_NETFILTER,
  NetlinkError,
  parse,
  type HandleOptions,
} from '../lib/index';
import { testBinding } from './helpers/test-binding';

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_MULTI = 2;
const NLM_F_DUMP_INTR = 0x10;
const CT_NEW = 1 << 8;
const CT_DELETE = (1 << 8) | 2;
const EXP_NEW = 2 << 8;
const PORT = 4242;

const align4 = (n: number): number => (n + 3) & ~3;

function attr(type: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(align4(4 + payload.length));
  b.writeUInt16LE(4 + payload.length, 0);
  b.writeUInt16LE(type, 2);
  payload.copy(b, 4);
  return b;
}
const nest = (type: number, ...children: Buffer[]): Buffer => attr(type | 0x8000, Buffer.concat(children));
const be16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
};
const be32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
};
const be64 = (v: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v);
  return b;
};
const ip4 = (s: string): Buffer => Buffer.from(s.split('.').map(Number));

function msg(type: number, flags: number, seq: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(align4(16 + payload.length));
  b.writeUInt32LE(16 + payload.length, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt32LE(seq, 8);
  b.writeUInt32LE(PORT, 12);
  payload.copy(b, 16);
  return b;
}

const nfgen = (family: number): Buffer => Buffer.from([family, 0, 0, 0]);

function tuple(type: number, src: string, dst: string, proto: number, sport: number, dport: number): Buffer {
  return nest(
    type,
    nest(1, attr(1, ip4(src)), attr(2, ip4(dst))),
    nest(2, attr(1, Buffer.from([proto])), attr(2, be16(sport)), attr(3, be16(dport))),
  );
}

interface FlowSpec {
  sport: number;
  dport: number;
  id: number;
  zone?: number;
}

/** A flow message; attributes deliberately not in the kernel's order. */
function flowMsg(seq: number, f: FlowSpec, flags = NLM_F_MULTI): Buffer {
  const attrs = [
    attr(12, be32(f.id)), // CTA_ID first
    tuple(2, '10.0.0.2', '10.0.0.1', 6, f.dport, f.sport), // reply before orig
    tuple(1, '10.0.0.1', '10.0.0.2', 6, f.sport, f.dport),
    attr(3, be32(0xe)), // CTA_STATUS
    attr(7, be32(300)), // CTA_TIMEOUT
    attr(8, be32(0x10)), // CTA_MARK
    nest(9, attr(1, be64(5n)), attr(2, be64(700n))), // CTA_COUNTERS_ORIG
    nest(20, attr(3, be64(0n)), attr(1, be64(123n)), attr(2, be64(456n))), // CTA_TIMESTAMP with a PAD first
  ];
  if (f.zone !== undefined) attrs.push(attr(18, be16(f.zone)));
  return msg(CT_NEW, flags, seq, Buffer.concat([nfgen(2), ...attrs]));
}

function done(seq: number, flags = NLM_F_MULTI): Buffer {
  return msg(NLMSG_DONE, flags, seq, Buffer.alloc(4));
}

function ack(seq: number, error: number, reqHeader: Buffer): Buffer {
  const e = Buffer.alloc(4);
  e.writeInt32LE(error);
  return msg(NLMSG_ERROR, 0x100, seq, Buffer.concat([e, reqHeader.subarray(0, 16)]));
}

test('parse.conntrack decodes crafted flows and expectations; malformed bytes are EBADMSG', () => {
  const exp = msg(
    EXP_NEW,
    NLM_F_MULTI,
    1,
    Buffer.concat([
      nfgen(2),
      attr(6, Buffer.from('ftp\0')),
      tuple(1, '10.0.0.1', '10.0.0.2', 6, 2000, 21),
      tuple(2, '10.0.0.1', '10.0.0.2', 6, 0, 4000),
      tuple(3, '255.255.255.255', '255.255.255.255', 6, 0, 0xffff),
      attr(4, be32(250)),
      attr(5, be32(77)),
    ]),
  );
  const bytes = Buffer.concat([flowMsg(1, { sport: 1000, dport: 80, id: 9, zone: 4 }), exp, done(1)]);
  const [flow, e] = parse.conntrack(bytes);
  assert.equal(flow.familyType, 2);
  assert.deepEqual(
    { ...flow.forward },
    {
      srcIp: '10.0.0.1',
      dstIp: '10.0.0.2',
      protocol: 6,
      srcPort: 1000,
      dstPort: 80,
      icmpType: null,
      icmpCode: null,
      icmpId: null,
      zone: null,
      bytes: 700n,
      packets: 5n,
    },
  );
  assert.equal(flow.reverse.srcPort, 80);
  assert.equal(flow.reverse.bytes, null);
  assert.equal(flow.id, 9);
  assert.equal(flow.zone, 4);
  assert.equal(flow.mark, 16);
  assert.equal(flow.status, 0xe);
  assert.equal(flow.timeOut, 300);
  assert.equal(flow.timeStart, 123n);
  assert.equal(flow.timeStop, 456n);
  assert.equal(flow.labels, null);
  assert.equal(e.helper, 'ftp');
  assert.equal(e.forward.dstPort, 21);
  assert.equal(e.reverse.dstPort, 4000);
  assert.equal(e.expectMask?.dstPort, 0xffff);
  assert.equal(e.timeOut, 250);
  assert.equal(e.id, 77);
  assert.equal(e.status, null);

  // A truncated attribute, an attribute running past its message, a short IP.
  const good = flowMsg(1, { sport: 1, dport: 2, id: 3 });
  const cut = Buffer.from(good);
  cut.writeUInt16LE(0xfff0, 20); // first attribute's length
  const shortIp = msg(CT_NEW, NLM_F_MULTI, 1, Buffer.concat([nfgen(2), nest(1, nest(1, attr(1, Buffer.from([10, 0]))))]));
  for (const bad of [cut, shortIp, good.subarray(0, good.length - 3)])
    assert.throws(
      () => parse.conntrack(bad),
      (err: unknown) => err instanceof NetlinkError && err.code === 'EBADMSG',
    );
});

const fds = process.env.NLW_CT_FAKE_FDS;

if (!fds) {
  test('retry policy on conntrack list and delete (fake kernel, under a python3 socketpair parent)', () => {
    const py = [
      'import os, socket, sys',
      'pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM) for _ in range(12)]',
      'for a, b in pairs:',
      '    b.setblocking(False)',
      '    os.set_inheritable(a.fileno(), True)',
      '    os.set_inheritable(b.fileno(), True)',
      "os.environ['NLW_CT_FAKE_FDS'] = ';'.join('%d,%d' % (a.fileno(), b.fileno()) for a, b in pairs)",
      'os.execvp(sys.argv[1], sys.argv[1:])',
    ].join('\n');
    const r = spawnSync('python3', ['-c', py, process.execPath, '--import', 'tsx', '--test-reporter', 'tap', __filename], {
      encoding: 'utf8',
      timeout: 60_000,
      // A fresh test run, not a subtest stream of the outer runner.
      env: { ...process.env, NODE_TEST_CONTEXT: undefined },
    });
    assert.equal(r.status, 0, `fake-kernel tests failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /# pass 5\n/, 'parse + list + three delete tests ran in the child');
    assert.match(r.stdout, /# fail 0/);
  });
} else {
  // One socketpair per Handle: a Handle owns its core end and closes it.
  const pairs = fds.split(';').map((p) => p.split(',').map(Number));
  let peerFd = -1;
  let coreFd = -1;
  const nextPair = (): void => {
    const p = pairs.shift();
    if (!p) throw new Error('out of socketpairs');
    [coreFd, peerFd] = p;
  };

  interface Req {
    type: number;
    flags: number;
    seq: number;
    raw: Buffer;
  }
  type Responder = (reqs: Req[], send: (d: Buffer) => void) => void;

  /** Reads every datagram from the core (each may hold several requests) and answers. */
  function serve(responder: Responder): { requests: Req[]; stop: () => void } {
    nextPair();
    const peerFd_ = peerFd;
    const requests: Req[] = [];
    const buf = Buffer.alloc(1 << 20);
    const send = (d: Buffer): void => void writeSync(peerFd_, d);
    const timer = setInterval(() => {
      for (;;) {
        let n: number;
        try {
          n = readSync(peerFd_, buf, 0, buf.length, null);
        } catch (err) {
          if ((err as { code?: string }).code === 'EAGAIN') return;
          throw err;
        }
        const batch: Req[] = [];
        for (let off = 0; off + 16 <= n;) {
          const len = buf.readUInt32LE(off);
          batch.push({
            type: buf.readUInt16LE(off + 4),
            flags: buf.readUInt16LE(off + 6),
            seq: buf.readUInt32LE(off + 8),
            raw: Buffer.from(buf.subarray(off, off + len)),
          });
          off += align4(len);
        }
        requests.push(...batch);
        responder(batch, send);
      }
    }, 1);
    return { requests, stop: () => clearInterval(timer) };
  }

  /** A Handle whose only socket is the core end of the last served socketpair. */
  function fakeHandle(options: Omit<HandleOptions, 'netns' | 'families'>): Handle {
    const fd = coreFd;
    return new Handle(
      { ...options, families: [NETLINK_NETFILTER] },
      () => new testBinding.NativeHandle({ fakeKernelFd: fd, protocol: NETLINK_NETFILTER, port: PORT }),
    );
  }

  const A: FlowSpec = { sport: 1000, dport: 80, id: 0xa, zone: 3 };
  const B: FlowSpec = { sport: 1001, dport: 443, id: 0xb };
  const C: FlowSpec = { sport: 1002, dport: 80, id: 0xc };

  /** Answers dump n (1-based) with `plan[n-1]`: flows and whether flagged; deletes with `errors`. */
  function kernel(plan: { flows: FlowSpec[]; intr: boolean }[], errors: Map<number, number> = new Map()): Responder {
    let dumps = 0;
    return (reqs, send) => {
      const acks: Buffer[] = [];
      for (const r of reqs) {
        if (r.type === CT_DELETE) {
          const id = r.raw.indexOf(Buffer.from([8, 0, 12, 0]));
          const flowId = id >= 0 ? r.raw.readUInt32BE(id + 4) : -1;
          acks.push(ack(r.seq, errors.get(flowId) ?? 0, r.raw));
          continue;
        }
        const p = plan[Math.min(dumps++, plan.length - 1)];
        const msgs = p.flows.map((f, i) => flowMsg(r.seq, f, NLM_F_MULTI | (p.intr && i === 0 ? NLM_F_DUMP_INTR : 0)));
        // Two datagrams and a separate DONE, as the kernel sends dumps.
        const half = Math.ceil(msgs.length / 2);
        if (half > 0) send(Buffer.concat(msgs.slice(0, half)));
        if (msgs.length > half) send(Buffer.concat(msgs.slice(half)));
        send(done(r.seq, NLM_F_MULTI | (p.intr && msgs.length === 0 ? NLM_F_DUMP_INTR : 0)));
      }
      if (acks.length) send(Buffer.concat(acks));
    };
  }

  const deletesOf = (reqs: Req[]): Req[] => reqs.filter((r) => r.type === CT_DELETE);
  const dumpsOf = (reqs: Req[]): Req[] => reqs.filter((r) => r.type !== CT_DELETE);
  const port80 = (): ConntrackFilter => new ConntrackFilter().addProtocol(6).addPort(ConntrackOrigDstPort, 80);

  test('list: an interrupted attempt is retried; exhaustion returns or throws', async () => {
    const k = serve(
      kernel([
        { flows: [A], intr: true },
        { flows: [A, B, C], intr: false },
      ]),
    );
    const h = fakeHandle({ maxAttempts: 3 });
    try {
      const flows = await h.conntrackTableList(ConntrackTable, FAMILY_V4);
      assert.deepEqual(
        flows.map((f) => f.id),
        [0xa, 0xb, 0xc],
      );
      assert.equal(h.stats.interruptedAttempts, 1);
      assert.equal(dumpsOf(k.requests).length, 2);

      const warned: string[] = [];
      const k2 = serve(kernel([{ flows: [A, B], intr: true }]));
      const h2 = fakeHandle({ maxAttempts: 3, logger: { warn: (m) => void warned.push(m) } });
      const last = await h2.conntrackTableList(ConntrackTable, FAMILY_V4).finally(() => h2.close());
      assert.equal(last.length, 2, 'the last attempt is returned');
      assert.equal(warned.length, 1);
      assert.equal(dumpsOf(k2.requests).length, 3);
      k2.stop();

      const k3 = serve(kernel([{ flows: [C], intr: true }]));
      const h3 = fakeHandle({ maxAttempts: 2, onInterrupted: 'throw' });
      await assert.rejects(
        h3.conntrackTableList(ConntrackTable, FAMILY_V4).finally(() => h3.close()),
        (e: unknown) => e instanceof DumpInterruptedError && e.attempts === 2 && (e.partial as { id: number }[])[0].id === 0xc,
      );
      k3.stop();
    } finally {
      h.close();
      k.stop();
    }
  });

  test('delete: interrupted dumps delete nothing; a retried delete counts each flow once', async () => {
    // Attempt 1 flagged (A and C match): no delete. Attempt 2 clean: deletes A and C.
    let k = serve(
      kernel([
        { flows: [A, B, C], intr: true },
        { flows: [A, B, C], intr: false },
      ]),
    );
    let h = fakeHandle({ maxAttempts: 3 });
    try {
      assert.equal(await h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, port80()), 2);
      assert.equal(dumpsOf(k.requests).length, 2);
      const dels = deletesOf(k.requests);
      assert.equal(dels.length, 2, 'no delete after the interrupted dump');
      // Each delete names the flow: CTA_TUPLE_ORIG, CTA_ZONE (A's zone 3) and CTA_ID.
      const a = dels.find((d) => d.raw.includes(Buffer.from([8, 0, 12, 0, 0, 0, 0, 0xa]))) as Req;
      assert.ok(a, 'delete of A carries CTA_ID 0xa');
      assert.ok(a.raw.includes(Buffer.from([6, 0, 18, 0, 0, 3])), 'delete of A carries CTA_ZONE 3');
      assert.ok(a.raw.includes(Buffer.from([6, 0, 2, 0, 0x03, 0xe8])), 'delete of A names its source port 1000');
    } finally {
      h.close();
      k.stop();
    }

    // Every attempt flagged, 'return': only the last attempt deletes, and a
    // flow the interrupted dump listed twice is deleted and counted once.
    k = serve(kernel([{ flows: [A, A, B, C], intr: true }]));
    h = fakeHandle({ maxAttempts: 3, logger: { warn: () => undefined } });
    try {
      assert.equal(await h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, port80()), 2);
      assert.equal(dumpsOf(k.requests).length, 3);
      assert.equal(deletesOf(k.requests).length, 2);
      assert.equal(h.stats.exhaustedCalls, 1);
    } finally {
      h.close();
      k.stop();
    }

    // Every attempt flagged, 'throw': nothing deleted at all.
    k = serve(kernel([{ flows: [A, B, C], intr: true }]));
    h = fakeHandle({ maxAttempts: 2, onInterrupted: 'throw' });
    try {
      await assert.rejects(
        h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, port80()),
        (e: unknown) => e instanceof DumpInterruptedError && e.partial === 0,
      );
      assert.equal(deletesOf(k.requests).length, 0);
    } finally {
      h.close();
      k.stop();
    }

    // The slow path (custom filter): the list is retried, then one exact delete.
    k = serve(
      kernel([
        { flows: [A, B], intr: true },
        { flows: [A, B, C], intr: false },
      ]),
    );
    h = fakeHandle({ maxAttempts: 3 });
    try {
      const n = await h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, {
        matchConntrackFlow: (f) => f.forward.dstPort === 443 || f.id === 0xc,
      });
      assert.equal(n, 2);
      assert.equal(dumpsOf(k.requests).length, 2);
      assert.equal(deletesOf(k.requests).length, 2);
    } finally {
      h.close();
      k.stop();
    }
  });

  test('delete: timeoutMs bounds the whole call, retries included; a stopped delete reports .deleted', async () => {
    const D: FlowSpec = { sport: 1003, dport: 80, id: 0xd };
    /** Dumps answered after `delayMs`; deletes acknowledged only for the ids in `acked`. */
    const slow = (plan: { flows: FlowSpec[]; intr: boolean }, delayMs: number, acked: Set<number>): Responder => {
      const inner = kernel([plan]);
      return (reqs, send) => {
        const dumps = dumpsOf(reqs);
        // A late answer may find the handle closed (its end of the pair gone).
        const late = (d: Buffer): void => {
          try {
            send(d);
          } catch (err) {
            const code = (err as { code?: string }).code;
            if (code !== 'ECONNREFUSED' && code !== 'ENOTCONN') throw err;
          }
        };
        if (dumps.length) setTimeout(() => inner(dumps, late), delayMs);
        const dels = deletesOf(reqs).filter((r) => acked.has(r.raw.readUInt32BE(r.raw.indexOf(Buffer.from([8, 0, 12, 0])) + 4)));
        if (dels.length) inner(dels, send);
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
    let k = serve(slow({ flows: [A, B, C], intr: true }, 80, new Set([0xa, 0xc])));
    let h = fakeHandle({ timeoutMs: 200, logger: { warn: () => undefined } });
    try {
      const [e, ms] = await rejection(h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, port80()));
      assert.equal(e.code, 'ETIMEDOUT');
      assert.equal(e.deleted, 0);
      assert.ok(ms < 200 + 150, `the whole call took ${ms.toFixed(0)} ms for timeoutMs 200`);
      assert.ok(dumpsOf(k.requests).length < 5, 'the retries stopped at the deadline');
      assert.equal(deletesOf(k.requests).length, 0);
    } finally {
      h.close();
      k.stop();
    }

    // The kernel acknowledges A's delete, never C's and D's: the call stops at
    // the deadline and reports the one delete that was done.
    k = serve(slow({ flows: [A, B, C, D], intr: false }, 0, new Set([0xa])));
    h = fakeHandle({ timeoutMs: 300 });
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
      k.stop();
    }

    // The same through the custom-filter path (list in JS, exact deletes).
    k = serve(slow({ flows: [A, B, C, D], intr: false }, 0, new Set([0xa, 0xb])));
    h = fakeHandle({ timeoutMs: 300 });
    try {
      const [e] = await rejection(h.conntrackDeleteFilters(ConntrackTable, FAMILY_V4, { matchConntrackFlow: () => true }));
      assert.equal(e.code, 'ETIMEDOUT');
      assert.equal(e.deleted, 2);
    } finally {
      h.close();
      k.stop();
    }

    // close() while deletes are unanswered: ERR_HANDLE_CLOSED, with .deleted.
    k = serve(slow({ flows: [A, B, C, D], intr: false }, 0, new Set([0xa])));
    h = fakeHandle({ timeoutMs: 10_000 });
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
      k.stop();
    }
  });

  test('delete: per-flow errors are collected into one ConntrackDeleteError; ENOENT counts', async () => {
    const D: FlowSpec = { sport: 1003, dport: 80, id: 0xd };
    const k = serve(
      kernel(
        [{ flows: [A, B, C, D], intr: false }],
        new Map([
          [0xa, -1],
          [0xc, -2],
        ]),
      ),
    );
    const h = fakeHandle({});
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
      k.stop();
    }
  });
}
