// Proves the addon's lifecycle: it loads and works in worker_threads;
// terminating a worker with open handles and calls in flight closes their
// fds; close() during an in-flight dump rejects ERR_HANDLE_CLOSED; a process
// exits normally with open handles (and is not kept alive by them); a
// namespace deleted while a handle is open keeps working; 10 000 handles
// opened and closed leave no fd behind (/proc/self/fd, before any GC).
// Workers that end, or are terminated at any moment (loading the addon,
// inside a Handle method, in the middle of a streamed dump), never take the
// process down, also when Node unloads the addon with the last of them: each
// runs in a child process, so a crash fails the test, not the runner.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { NetlinkError } from '../../lib/errors';
import { Handle } from '../../lib/handle';
import { FakeKernel } from '../helpers/fake-kernel';
import { builtPackage, describeExit, runNode } from '../helpers/child';
import { createNetns, deleteNetns, ip, ipBatch, isRoot } from '../helpers/netns';
import { testBinding } from '../helpers/test-binding';

const skip = !isRoot && 'needs root';
const fds = (): number => fs.readdirSync('/proc/self/fd').length;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function startWorker(data: object): Worker {
  // A worker cannot start from a .ts file; register tsx's require hook first.
  const file = path.join(__dirname, '..', 'helpers', 'lifecycle-worker.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, { eval: true, workerData: data });
}

function once<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

test('the addon works in a worker thread', { skip }, async () => {
  const ns = createNetns('life');
  ip(ns, 'link', 'add', 'wa', 'type', 'veth', 'peer', 'name', 'wb');
  const w = startWorker({ ns, mode: 'list' });
  const m = await once<{ links: string[] }>(w);
  assert.deepEqual(m.links.sort(), ['lo', 'wa', 'wb']);
  await w.terminate();
});

test('terminating a worker with open handles and calls in flight closes their fds', { skip }, async () => {
  const ns = createNetns('life');
  // Two rounds: the first also loads tsx and the addon into the process.
  for (let round = 0; round < 2; round++) {
    const before = fds();
    const w = startWorker({ ns, mode: 'hang' });
    const m = await once<{ ready: boolean; peers: number[]; handles: number }>(w);
    const during = fds();
    assert.ok(during >= before + m.handles * 2, `fds while open: ${before} → ${during}`);
    // Node's worker teardown (Environment::CleanupHandles) waits for thread-
    // pool work before it runs any cleanup hook, so a call blocked on a
    // kernel that never answers holds terminate() until its timeoutMs.
    const t0 = Date.now();
    await w.terminate();
    const took = Date.now() - t0;
    assert.ok(took < 5000, `terminate() took ${took} ms`);
    for (const p of m.peers) testBinding.testing.close(p); // the test's own ends
    // In-flight workers wake on the cancel eventfd and finish on the pool.
    let after = fds();
    for (let i = 0; i < 100 && after > before; i++) {
      await sleep(20);
      after = fds();
    }
    if (round === 1) assert.equal(after, before, `fds: ${before} before, ${during} with the worker, ${after} after`);
  }
});

test('close() during an in-flight dump rejects ERR_HANDLE_CLOSED, on a real kernel socket too', { skip }, async () => {
  const k = new FakeKernel(() => {});
  const fh = k.handle();
  const p1 = fh.linkList().catch((e: unknown) => e);
  await k.waitRequests(1);
  fh.close();
  const e1 = await p1;
  assert.ok(e1 instanceof NetlinkError && e1.code === 'ERR_HANDLE_CLOSED');
  k.close();
  // A real dump racing close(): it either completed or was closed, nothing else.
  const ns = createNetns('life');
  const h = new Handle({ netns: ns });
  const calls = Array.from({ length: 8 }, () =>
    h.linkList().then(
      () => 'ok',
      (e: NetlinkError) => e.code,
    ),
  );
  h.close();
  for (const r of await Promise.all(calls)) assert.ok(r === 'ok' || r === 'ERR_HANDLE_CLOSED', String(r));
  const after = await h.linkList().catch((e: NetlinkError) => e.code);
  assert.equal(after, 'ERR_HANDLE_CLOSED');
});

test('process exit with open handles and calls in flight', { skip }, () => {
  const lib = path.join(__dirname, '..', '..', 'lib');
  const cases = {
    // Ends by itself: open handles do not keep the process alive.
    natural: `const { Handle, linkList } = require(${JSON.stringify(lib)});
      const h = new Handle(); const h2 = new Handle(); void linkList().then((l) => console.log('links', l.length));`,
    // process.exit() while calls are in flight.
    exit: `const { Handle } = require(${JSON.stringify(lib)});
      const hs = Array.from({ length: 4 }, () => new Handle());
      for (const h of hs) for (let i = 0; i < 4; i++) void h.linkList();
      setImmediate(() => process.exit(0));`,
    // An uncaught exception with handles open.
    crash: `const { Handle } = require(${JSON.stringify(lib)});
      const h = new Handle(); void h.linkList(); setImmediate(() => { throw new Error('boom'); });`,
  };
  for (const [name, code] of Object.entries(cases)) {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', timeout: 20_000 });
    const took = Date.now() - t0;
    assert.ok(took < 15_000, `${name}: took ${took} ms`);
    assert.equal(r.signal, null, `${name}: killed by ${r.signal}: ${r.stderr}`);
    assert.equal(r.status, name === 'crash' ? 1 : 0, `${name}: ${r.stderr}`);
    if (name === 'crash') assert.match(r.stderr, /boom/);
    if (name === 'natural') assert.match(r.stdout, /links \d+/);
  }
});

test('a namespace deleted while a handle on it is open keeps working', { skip }, async () => {
  const ns = createNetns('life');
  ip(ns, 'link', 'add', 'da', 'type', 'veth', 'peer', 'name', 'db');
  const h = new Handle({ netns: ns });
  assert.equal((await h.linkList()).length, 3);
  deleteNetns(ns);
  // The handle's sockets and namespace fd keep the namespace alive.
  const again = await Promise.all(Array.from({ length: 10 }, () => h.linkList()));
  for (const links of again) assert.deepEqual(links.map((l) => l.name).sort(), ['da', 'db', 'lo']);
  h.close();
  assert.throws(
    () => new Handle({ netns: ns }),
    (e: NetlinkError) => e.code === 'ENOENT',
  );
});

test('10 000 handles opened and closed leave no fd behind', { skip }, async () => {
  new Handle().close(); // load everything first
  const before = fds();
  for (let i = 0; i < 10_000; i++) {
    const h = new Handle({ families: [0] });
    if (i % 1000 === 0) await h.linkList();
    h.close();
  }
  assert.equal(fds(), before, 'no fd left, without waiting for GC');
  const ns = createNetns('life');
  for (let i = 0; i < 300; i++) new Handle({ netns: ns }).close();
  assert.equal(fds(), before, 'nor with a namespace (3 sockets + ns fd each)');
});

/** A namespace with `n` IPv4 routes: a dump of them spans enough datagrams to be parsed on a parse thread. */
function routesNetns(n: number): string {
  const ns = createNetns('life');
  ipBatch(ns, [
    'link add ra type veth peer name rb',
    'link set ra up',
    'addr add 10.0.0.1/8 dev ra',
    ...Array.from({ length: n }, (_, i) => `route add 172.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32 dev ra`),
  ]);
  return ns;
}

test(
  'workers that used nlwrap end while the main thread never loaded it: their threads are joined and the process lives on',
  { skip },
  () => {
    const ns = routesNetns(5000);
    // Two workers each load the addon and dump 5 000 routes (parse threads
    // start). A ends while B holds the addon; B dumps again and ends, and Node
    // unloads the addon. A parse thread left parked in its code would crash
    // the process when its 10 s idle wait ran out.
    const script = `
    const { Worker } = require('node:worker_threads');
    const fs = require('node:fs');
    const worker = () => new Worker(\`
      const { parentPort } = require('node:worker_threads');
      const nl = require(${JSON.stringify(builtPackage())});
      const h = new nl.Handle({ netns: ${JSON.stringify(ns)} });
      const dump = () => h.routeList(null, 0).then((r) => parentPort.postMessage(r.length));
      dump().then(() => parentPort.once('message', (m) => (m === 'again' ? dump() : Promise.resolve()).then(() => h.close())));
    \`, { eval: true });
    const next = (w) => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
    const exited = (w) => new Promise((resolve) => w.once('exit', resolve));
    const parseThreads = () => fs.readdirSync('/proc/self/task').filter((t) => {
      try { return fs.readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim() === 'nlwrap'; } catch { return false; }
    }).length;
    (async () => {
      const a = worker(), b = worker();
      const counts = await Promise.all([next(a), next(b)]);
      const aGone = exited(a);
      a.postMessage('stop');
      await aGone;
      const bAgain = next(b), bGone = exited(b);
      b.postMessage('again');
      counts.push(await bAgain);
      await bGone;
      const mapped = /nlwrap[.]node/.test(fs.readFileSync('/proc/self/maps', 'utf8'));
      console.log(JSON.stringify({ counts, mapped, threads: parseThreads() }));
      setTimeout(() => console.log('survived'), 11_000);
    })();`;
    const r = runNode(script, { timeoutMs: 40_000 });
    assert.ok(r.status === 0 && r.signal === null, describeExit(r));
    const m = JSON.parse(r.stdout.split('\n')[0]) as { counts: number[]; mapped: boolean; threads: number };
    for (const c of m.counts) assert.ok(c >= 5000, `routes listed: ${c}`);
    assert.equal(m.mapped, false, 'the addon was unloaded with the last worker (what this test is about)');
    assert.equal(m.threads, 0, 'no addon thread is left once the workers have ended');
    assert.match(r.stdout, /survived/);
  },
);

test('terminating workers in the middle of streamed dumps never takes the process down', { skip }, () => {
  const ns = routesNetns(20_000);
  // Chunks are handed to JS while the dump is read; terminate() lands
  // anywhere in that, including inside the chunk callback.
  const script = `
    const { Worker } = require('node:worker_threads');
    (async () => {
      for (let i = 0; i < 25; i++) {
        const w = new Worker(\`
          const { parentPort } = require('node:worker_threads');
          const nl = require(${JSON.stringify(builtPackage())});
          const h = new nl.Handle({ netns: ${JSON.stringify(ns)} });
          parentPort.postMessage('ready');
          (async () => { for (;;) await Promise.all([1, 2, 3, 4].map(() => h.routeList(null, 0))); })();
        \`, { eval: true });
        await new Promise((resolve) => w.once('message', resolve));
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
        await w.terminate();
      }
      console.log('survived');
    })();`;
  const r = runNode(script, { timeoutMs: 120_000 });
  assert.ok(r.status === 0 && r.signal === null, describeExit(r));
  assert.match(r.stdout, /survived/);
});

test('terminating workers while they load the addon or are inside Handle methods never takes the process down', { skip }, () => {
  const ns = createNetns('life');
  // From 0 to 30 ms after the worker starts: inside require() (the addon's
  // Init), new Handle(), or one of 100 linkByIndex calls per turn.
  const script = `
    const { Worker } = require('node:worker_threads');
    (async () => {
      for (let i = 0; i < 200; i++) {
        const w = new Worker(\`
          const nl = require(${JSON.stringify(builtPackage())});
          const h = new nl.Handle({ netns: ${JSON.stringify(ns)}, families: [0] });
          (async () => { for (;;) { const calls = []; for (let k = 0; k < 100; k++) calls.push(h.linkByIndex(1)); await Promise.all(calls); } })();
        \`, { eval: true });
        await new Promise((resolve) => w.once('online', resolve));
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
        await w.terminate();
      }
      console.log('survived');
    })();`;
  const r = runNode(script, { timeoutMs: 120_000 });
  assert.ok(r.status === 0 && r.signal === null, describeExit(r));
  assert.match(r.stdout, /survived/);
});
