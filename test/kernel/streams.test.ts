// Proves the streaming twins of the list calls on the host kernel, in fresh
// namespaces: every stream yields exactly what its list call returns (same
// objects, same order, over several batches); with a 200 000-flow conntrack
// table, backpressure is real (a consumer that pauses stops the addon's
// reads: bytes received stop growing and RSS stays flat), and `break`,
// close() and an aborted signal end the dump with its socket closed, never
// left half-read, and the handle usable for the next call with correct
// results; a stream read to its end gives its socket back, drained. Also that
// dumps do not run on libuv's pool: an fs.stat during more concurrent dumps
// than the pool has threads completes within a few ms of its idle time. The
// retry contract of streams (DUMP_INTR at the end, both onInterrupted modes)
// is proved against the fake kernel, and a chunk that fails to decode in a
// later turn fails its call once, never as an unhandled rejection.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import {
  ConntrackTable,
  DumpInterruptedError,
  FAMILY_ALL,
  FAMILY_V4,
  FAMILY_V6,
  Handle,
  RT_FILTER_TABLE,
  type ConntrackFlow,
  type DumpStream,
} from '../../lib/index';
import { binding } from '../../lib/binding';
import { decodeTurn, StreamDecoder } from '../../lib/decode';
import { schemaIds } from '../../lib/generated/decoders';
import { conntrackCli, ctInsert } from '../helpers/conntrack';
import { dumpOf, FakeKernel } from '../helpers/fake-kernel';
import { linkMsg, NLM_F_MULTI } from '../helpers/netlink-msg';
import { createNetns, deleteNetns, ipBatch, isRoot, quietIpv6 } from '../helpers/netns';

const skip = !isRoot && 'needs root';

// A full GC before memory is measured, so the figure is this stream's, not
// the garbage earlier tests left.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Every batch of a stream, read to its end. */
async function batchesOf<T>(s: DumpStream<T>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const b of s) out.push(b);
  return out;
}

/** A flow without the field the kernel changes by itself (seconds left). */
const steady = (f: ConntrackFlow): ConntrackFlow => ({ ...f, timeOut: null });

test('every stream yields what its list call returns, in the same order', { skip, timeout: 120_000 }, async (t) => {
  const ns = createNetns('streq');
  quietIpv6(ns);
  const lines: string[] = [];
  // Enough of each kind for several batches (a chunk is ~1 000 objects, or
  // fewer big ones: ~250 links).
  for (let i = 0; i < 300; i++) lines.push(`link add sa${i} type veth peer name sb${i}`);
  for (let i = 0; i < 2_500; i++) lines.push(`addr add 10.40.${i >> 8}.${i & 0xff}/32 dev sa0`);
  for (let i = 0; i < 200; i++) lines.push(`addr add 2001:db8:40::${(i + 1).toString(16)}/128 dev sa1 nodad`);
  for (let i = 0; i < 1_200; i++)
    lines.push(`xfrm policy add src 10.41.${i >> 8}.${i & 0xff}/32 dst 10.42.0.0/16 dir out priority ${i}`);
  for (let i = 0; i < 100; i++)
    lines.push(`xfrm policy add src 2001:db8:41::${(i + 1).toString(16)}/128 dst 2001:db8:42::/48 dir in`);
  for (let i = 0; i < 2_500; i++) lines.push(`route add blackhole 10.50.${i >> 8}.${i & 0xff}/32`);
  for (let i = 0; i < 300; i++) lines.push(`route add blackhole 10.51.${i >> 8}.${i & 0xff}/32 table 100`);
  for (let i = 0; i < 300; i++) lines.push(`route add blackhole 2001:db8:50::${(i + 1).toString(16)}/128`);
  ipBatch(ns, lines);
  const flows: string[] = [];
  for (let i = 0; i < 3_000; i++)
    flows.push(`ct family=4 proto=${i % 2 ? 17 : 6} src=10.60.${i >> 8}.${i & 0xff} dst=10.61.0.1 sport=${1024 + i} dport=80`);
  for (let i = 0; i < 200; i++)
    flows.push(`ct family=6 proto=6 src=2001:db8:60::${(i + 1).toString(16)} dst=2001:db8:61::1 sport=${2000 + i} dport=443`);
  ctInsert(ns, flows);
  const h = new Handle({ netns: ns });
  try {
    const sa0 = (await h.linkByName('sa0')).index;
    const kinds: [string, () => Promise<unknown[]>, () => DumpStream<unknown>, number][] = [
      ['links', () => h.linkList(), () => h.linkStream(), 2],
      ['addrs', () => h.addrList(null), () => h.addrStream(null), 2],
      ['addrs v6', () => h.addrList(null, FAMILY_V6), () => h.addrStream(null, FAMILY_V6), 1],
      ['addrs of sa0, v4', () => h.addrList(sa0, FAMILY_V4), () => h.addrStream(sa0, FAMILY_V4), 2],
      [
        'addrs of sa0, filtered in JS',
        () => h.addrList(sa0, FAMILY_ALL, { kernelFilter: false }),
        () => h.addrStream(sa0, FAMILY_ALL, { kernelFilter: false }),
        2,
      ],
      ['routes', () => h.routeList(null), () => h.routeStream(null), 2],
      ['routes v6', () => h.routeList(null, FAMILY_V6), () => h.routeStream(null, FAMILY_V6), 1],
      [
        'routes of table 100',
        () => h.routeListFiltered(FAMILY_ALL, { table: 100 }, RT_FILTER_TABLE),
        () => h.routeStreamFiltered(FAMILY_ALL, { table: 100 }, RT_FILTER_TABLE),
        1,
      ],
      ['xfrm policies', () => h.xfrmPolicyList(), () => h.xfrmPolicyStream(), 2],
      ['xfrm policies v6', () => h.xfrmPolicyList(FAMILY_V6), () => h.xfrmPolicyStream(FAMILY_V6), 1],
      // No ESP on this kernel: no states (the guest proves states with content).
      ['xfrm states', () => h.xfrmStateList(), () => h.xfrmStateStream(), 0],
    ];
    for (const [name, list, stream, minBatches] of kinds) {
      const listed = await list();
      const batches = await batchesOf(stream());
      const streamed = batches.flat();
      t.diagnostic(`${name}: ${listed.length} objects, ${batches.length} batches`);
      assert.ok(batches.length >= minBatches, `${name}: ${batches.length} batches`);
      for (const b of batches) assert.ok(b.length > 0, `${name}: an empty batch`);
      assert.deepStrictEqual(streamed, listed, name);
    }
    const counts = {
      links: (await h.linkList()).length,
      routes100: (await h.routeListFiltered(FAMILY_ALL, { table: 100 }, RT_FILTER_TABLE)).length,
      policies: (await h.xfrmPolicyList()).length,
    };
    assert.deepEqual(counts, { links: 601, routes100: 300, policies: 1_300 });

    for (const family of [FAMILY_ALL, FAMILY_V4, FAMILY_V6]) {
      const listed = await h.conntrackTableList(ConntrackTable, family);
      const batches = await batchesOf(h.conntrackTableStream(ConntrackTable, family));
      const streamed = batches.flat();
      t.diagnostic(`conntrack family ${family}: ${listed.length} flows, ${batches.length} batches`);
      assert.equal(listed.length, family === FAMILY_ALL ? 3_200 : family === FAMILY_V4 ? 3_000 : 200);
      if (family !== FAMILY_V6) assert.ok(batches.length >= 2);
      assert.equal(streamed.length, listed.length);
      streamed.forEach((f, i) => assert.ok(Math.abs((f.timeOut ?? 0) - (listed[i].timeOut ?? 0)) <= 2));
      assert.deepStrictEqual(streamed.map(steady), listed.map(steady), `conntrack family ${family}`);
    }
  } finally {
    h.close();
    deleteNetns(ns);
  }
});

/** The netlink sockets of this process in `ns` with `protocol`: their queued bytes and dump state. */
function ourNetlinkSockets(ns: string, protocol: number): { rmem: number; dump: number }[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const table = execFileSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/netlink'], { encoding: 'utf8' });
  const out: { rmem: number; dump: number }[] = [];
  for (const line of table.trim().split('\n').slice(1)) {
    const c = line.trim().split(/\s+/);
    // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
    if (Number(c[1]) === protocol && inodes.has(c[9])) out.push({ rmem: Number(c[4]), dump: Number(c[6]) });
  }
  return out;
}

async function until(what: string, cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

const NETLINK_NETFILTER = 12;
const N = 200_000;

/** N flows, half TCP, half UDP, each of its own source address. */
function bigTable(): string[] {
  const lines = new Array<string>(N);
  for (let i = 0; i < N; i++)
    lines[i] =
      `ct family=4 proto=${i % 2 ? 17 : 6} src=10.${i >> 16}.${(i >> 8) & 0xff}.${i & 0xff} dst=172.16.${i % 100}.1 sport=${1024 + (i % 60000)} dport=80`;
  return lines;
}
const MiB = 2 ** 20;

test('200 000 flows: backpressure, break, close() and abort; the handle stays usable', { skip, timeout: 300_000 }, async (t) => {
  const ns = createNetns('ctstream');
  const h = new Handle({ netns: ns });
  try {
    let t0 = performance.now();
    ctInsert(ns, bigTable());
    t.diagnostic(`insert ${N}: ${(performance.now() - t0).toFixed(0)} ms`);
    const sockets = (): { rmem: number; dump: number }[] => ourNetlinkSockets(ns, NETLINK_NETFILTER);
    assert.equal(sockets().length, 1, 'the handle opened one conntrack socket');

    // Correct results for the calls after each stopped stream.
    const checkList = async (after: string): Promise<void> => {
      const all = await h.conntrackTableList(ConntrackTable, FAMILY_ALL);
      assert.equal(all.length, N, after);
      const keys = new Set(all.map((f) => `${f.forward.protocol}|${f.forward.srcIp}|${f.forward.srcPort}`));
      assert.equal(keys.size, N, `${after}: every flow once`);
      assert.ok(all.every((f) => f.forward.dstPort === 80 && (f.forward.srcIp ?? '').startsWith('10.')));
      // Back in the pool, drained.
      assert.deepEqual(sockets(), [{ rmem: 0, dump: 0 }], after);
    };

    // Backpressure: take one batch, then pause. The addon reads ahead only
    // a few chunks (highWaterMark) and the parse queue; then it stops.
    {
      const s = h.conntrackTableStream(ConntrackTable, FAMILY_ALL, { highWaterMark: 2 });
      const it = s[Symbol.asyncIterator]();
      const first = await it.next();
      assert.equal(first.done, false);
      let seen = 0;
      let tcp = 0;
      const fold = (b: ConntrackFlow[]): void => {
        seen += b.length;
        for (const f of b) if (f.forward.protocol === 6) tcp++;
      };
      fold(first.value!);
      await sleep(300); // whatever may be read ahead is read by now
      gc();
      const p1 = s.received;
      const rss1 = process.memoryUsage.rss();
      await sleep(700);
      const p2 = s.received;
      const rss2 = process.memoryUsage.rss();
      t.diagnostic(
        `paused after ${seen} flows: ${p1.bytes} then ${p2.bytes} bytes received, rss ${(rss1 / MiB).toFixed(1)} then ${(rss2 / MiB).toFixed(1)} MiB`,
      );
      assert.ok(p1.bytes > 0);
      assert.equal(p2.bytes, p1.bytes, 'the addon stopped reading while the consumer paused');
      assert.equal(p2.datagrams, p1.datagrams);
      assert.ok(p1.bytes < 4 * MiB, `read ahead ${p1.bytes} bytes of a ~46 MiB dump`);
      assert.ok(rss2 - rss1 < 4 * MiB, 'RSS flat while paused');
      // The rest, folded into counters: memory does not grow with the table.
      let rssPeak = rss2;
      for (let r = await it.next(); !r.done; r = await it.next()) {
        fold(r.value);
        rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
      }
      t.diagnostic(`folded ${seen} flows, rss peak +${((rssPeak - rss2) / MiB).toFixed(1)} MiB over the paused stream's`);
      assert.equal(seen, N);
      assert.equal(tcp, N / 2);
      assert.equal(s.end?.interrupted, false);
      assert.equal(s.received.bytes, s.end?.bytes);
      assert.ok(s.end!.bytes > 30 * MiB, `${s.end!.bytes} bytes in all`);
      // A list of these flows grows RSS by ~170 MiB; a stream's queue holds two
      // chunks. Not under the sanitizers: ASan keeps freed memory in its
      // quarantine, so RSS there says nothing of what is live (the bytes
      // received above still show the reader stopping).
      if (!process.env.NLWRAP_SANITIZED)
        assert.ok(rssPeak - rss2 < 48 * MiB, `RSS grew ${((rssPeak - rss2) / MiB).toFixed(1)} MiB`);
      // Read to its end: the socket went back to the pool.
      assert.deepEqual(sockets(), [{ rmem: 0, dump: 0 }]);
    }

    // break after the first batch: the socket, mid-dump, is closed.
    {
      const s = h.conntrackTableStream(ConntrackTable, FAMILY_ALL);
      let n = 0;
      for await (const b of s) {
        n += b.length;
        break;
      }
      assert.ok(n > 0 && n < N);
      await until('the stream socket is closed', () => sockets().length === 0);
      assert.equal(s.end, null, 'the dump did not end');
      await checkList('after break');
    }

    // close() between batches.
    {
      const s = h.conntrackTableStream(ConntrackTable, FAMILY_ALL);
      const it = s[Symbol.asyncIterator]();
      assert.equal((await it.next()).done, false);
      s.close();
      assert.equal((await it.next()).done, true);
      assert.equal((await it.next()).done, true, 'iteration stays ended');
      s.close(); // idempotent
      await until('the stream socket is closed', () => sockets().length === 0);
      await checkList('after close()');
    }

    // An aborted signal ends the iteration without an error.
    {
      const ac = new AbortController();
      const s = h.conntrackTableStream(ConntrackTable, FAMILY_ALL, { signal: ac.signal });
      let n = 0;
      t0 = performance.now();
      for await (const b of s) {
        n += b.length;
        if (n >= 5_000) ac.abort();
      }
      assert.ok(n >= 5_000 && n < N, `${n} flows before the abort took effect`);
      await until('the stream socket is closed', () => sockets().length === 0);
      await checkList('after abort');
    }
    assert.equal(Number(conntrackCli(ns, ['-C']).trim()), N);
  } finally {
    h.close();
    deleteNetns(ns);
  }
});

/**
 * fs.stat timed in a worker thread: libuv's pool is the process's, but the
 * worker's event loop is its own, so what is timed is the pool, not the
 * main thread's decoding.
 */
function statTimer(): { median: () => Promise<number>; close: () => Promise<number> } {
  const w = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const { stat } = require('node:fs/promises');
     parentPort.on('message', async (file) => {
       const times = [];
       for (let i = 0; i < 7; i++) {
         const t0 = performance.now();
         await stat(file);
         times.push(performance.now() - t0);
       }
       parentPort.postMessage(times.sort((a, b) => a - b)[3]);
     });`,
    { eval: true },
  );
  return {
    median: () =>
      new Promise((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
        w.postMessage(__filename);
      }),
    close: () => w.terminate(),
  };
}

test(
  'dumps run off libuv’s pool: an fs.stat during concurrent big dumps takes its idle time',
  { skip, timeout: 120_000 },
  async (t) => {
    // More dumps than libuv's pool has threads (4 unless the environment sets more).
    const pool = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const dumps = Math.max(8, pool + 4);
    const ns = createNetns('ctpool');
    const h = new Handle({ netns: ns });
    const timer = statTimer();
    const streams: DumpStream<ConntrackFlow>[] = [];
    try {
      const lines: string[] = [];
      for (let i = 0; i < 50_000; i++)
        lines.push(`ct family=4 proto=6 src=10.70.${i >> 8}.${i & 0xff} dst=10.71.0.1 sport=${1024 + (i % 60000)} dport=80`);
      ctInsert(ns, lines);
      await timer.median(); // warm
      const idle = await timer.median();

      // Each dump under way, its thread held by a consumer that does not read on.
      for (let i = 0; i < dumps; i++) {
        const s = h.conntrackTableStream(ConntrackTable, FAMILY_ALL, { highWaterMark: 1 });
        streams.push(s);
        assert.equal((await s[Symbol.asyncIterator]().next()).done, false);
      }
      const held = await timer.median();
      t.diagnostic(`fs.stat median: ${idle.toFixed(2)} ms idle, ${held.toFixed(2)} ms beside ${dumps} dumps in flight`);
      assert.ok(
        streams.every((s) => s.end === null && s.received.bytes > 0),
        'every dump is in flight',
      );
      assert.ok(held < idle + 5, `fs.stat took ${held.toFixed(2)} ms beside ${dumps} dumps (idle: ${idle.toFixed(2)} ms)`);

      // And while they all read on at full speed.
      for (const s of streams) s.close();
      streams.length = 0;
      const running = Array.from({ length: dumps }, async () => {
        let n = 0;
        for await (const b of h.conntrackTableStream(ConntrackTable, FAMILY_ALL)) n += b.length;
        return n;
      });
      await sleep(20);
      const busy = await timer.median();
      const counts = await Promise.all(running);
      t.diagnostic(`fs.stat median ${busy.toFixed(2)} ms beside ${dumps} dumps read at full speed`);
      assert.deepEqual(counts, Array(dumps).fill(50_000));
      // These threads and the worker share this machine's cores.
      assert.ok(busy < idle + 10, `fs.stat took ${busy.toFixed(2)} ms beside ${dumps} running dumps`);
    } finally {
      for (const s of streams) s.close();
      await timer.close();
      h.close();
      deleteNetns(ns);
    }
  },
);

test('DUMP_INTR at the end of a stream: an error under onInterrupted throw, a warning under return', async () => {
  // 'throw': every batch is yielded, then the iterator rejects.
  {
    const k = new FakeKernel(dumpOf(3_000, { chunks: 6, intrOn: 'done' }));
    const h = k.handle({ onInterrupted: 'throw' });
    try {
      const s = h.linkStream();
      const got: string[] = [];
      await assert.rejects(
        async () => {
          for await (const b of s) for (const l of b) got.push(l.name);
        },
        (err: unknown) => {
          assert.ok(err instanceof DumpInterruptedError);
          assert.equal(err.code, 'NLM_F_DUMP_INTR');
          assert.equal(err.attempts, 1);
          assert.deepEqual(err.partial, []);
          return true;
        },
      );
      assert.deepEqual(
        got,
        Array.from({ length: 3_000 }, (_, i) => `fk${i}`),
      );
      assert.equal(s.end?.interrupted, true);
      assert.equal(k.requests.length, 1, 'a stream is one attempt');
      assert.equal(h.stats.interruptedAttempts, 1);
      // The dump was read to its end: the one socket is usable.
      k.responder = dumpOf(2);
      assert.deepEqual(
        (await h.linkList()).map((l) => l.name),
        ['fk0', 'fk1'],
      );
    } finally {
      h.close();
      k.close();
    }
  }
  // 'return': the stream ends normally; the logger hears of it once, with the caller's stack.
  {
    const k = new FakeKernel(dumpOf(50, { chunks: 2, intrOn: 'middle' }));
    const warnings: { message: string; details: { op?: string; attempts?: number; stack?: string } }[] = [];
    const h = k.handle({ logger: { warn: (message, details) => warnings.push({ message, details }) } });
    try {
      const s = h.linkStream();
      let n = 0;
      for await (const b of s) n += b.length;
      assert.equal(n, 50);
      assert.equal(s.end?.interrupted, true);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0].message, /linkStream was interrupted/);
      assert.equal(warnings[0].details.op, 'linkStream');
      assert.match(warnings[0].details.stack ?? '', /streams\.test\.ts/);
      assert.equal(k.requests.length, 1);
      // Not interrupted: no warning.
      k.responder = dumpOf(5);
      const again = h.linkStream();
      for await (const b of again) n += b.length;
      assert.equal(again.end?.interrupted, false);
      assert.equal(warnings.length, 1);
    } finally {
      h.close();
      k.close();
    }
  }
});

test('close() while a read waits ends the iteration; the socket is closed', async () => {
  // 3 000 links, then nothing: the dump neither goes on nor ends. The addon
  // hands over whole chunks (~1 000 records), the stream batches of 256.
  const k = new FakeKernel((req, kk) => {
    for (let c = 0; c < 30; c++)
      kk.send(
        Buffer.concat(Array.from({ length: 100 }, (_, i) => linkMsg(req.seq, req.pid, c * 100 + i + 1, `w${c * 100 + i}`))),
      );
  });
  const h = k.handle();
  try {
    const s = h.linkStream();
    const it = s[Symbol.asyncIterator]();
    // Take batches until one does not come: that read waits for the kernel.
    let n = 0;
    let waiting: Promise<IteratorResult<unknown>>;
    for (;;) {
      waiting = it.next();
      const r = await Promise.race([waiting, sleep(200).then(() => null)]);
      if (r === null) break;
      assert.equal(r.done, false);
      n += (r.value as unknown[]).length;
    }
    assert.ok(n > 0 && n < 3_000, `${n} links before the read waited`);
    s.close();
    assert.deepEqual(await waiting, { done: true, value: undefined });
    assert.equal(s.end, null);
    await until('the core closed its socket', () => k.coreClosed());
  } finally {
    h.close();
    k.close();
  }
});

test('close() and an aborted signal stop a dump that never ends; its socket is closed, not left half-read', async () => {
  for (const how of ['close', 'abort', 'abort before start'] as const) {
    let seq = 0;
    let pid = 0;
    let i = 0;
    const k = new FakeKernel((req, kk) => {
      seq = req.seq;
      pid = req.pid;
      kk.every(2, () => linkMsg(seq, pid, ++i, `inf${i}`, NLM_F_MULTI));
    });
    const ac = new AbortController();
    if (how === 'abort before start') ac.abort();
    const h = k.handle();
    try {
      const s = h.linkStream({ signal: ac.signal });
      let n = 0;
      for await (const b of s) {
        n += b.length;
        if (n >= 20) {
          if (how === 'close') s.close();
          else ac.abort();
        }
      }
      assert.equal(s.end, null, how);
      if (how === 'abort before start') {
        assert.equal(n, 0);
        assert.equal(k.requests.length, 0, 'never started');
        continue;
      }
      assert.ok(n >= 20, how);
      // The core closed its only socket rather than keep a half-read dump.
      await until('the core closed its socket', () => k.coreClosed());
    } finally {
      h.close();
      k.close();
    }
  }
});

test('a chunk that fails to decode in a later turn fails the call once, never as an unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): number => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    const empty = binding.parse('addrs', Buffer.alloc(0));
    // Records whose cells are missing: the decoder throws a TypeError.
    const broken = { ...empty, root: schemaIds.addr, count: 3, cells: [] };
    const d = new StreamDecoder('addr');
    // Use up this turn's decode slice, so the chunk is decoded in a later turn.
    void decodeTurn();
    const t0 = performance.now();
    while (performance.now() - t0 < 6);
    d.push(broken);
    await sleep(20);
    assert.throws(() => d.push(empty), TypeError);
    await assert.rejects(d.finish(), TypeError);
    await sleep(10);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
