// Child process (and worker) for test/kernel/subscribe-lifecycle.test.ts. Ends
// subscriptions and watches every way there is, in the main thread or in a
// worker thread, and reports whether each ended cleanly and what was left:
// fds (/proc/self/fd), threads blocked in poll() (a subscription still
// reading) and the thread count (/proc/self/task) once the addon's idle
// threads had time to exit. Prints one JSON line.
//
//   node --import tsx subscribe-lifecycle-child.ts main|worker NS
//   node --import tsx subscribe-lifecycle-child.ts ref|unref NS
//   (in a worker: workerData { ns, role: 'ways' | 'hold' })
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { isMainThread, parentPort, threadId, Worker, workerData } from 'node:worker_threads';
import { Handle } from '../../lib/handle';
import { linkSubscribe } from '../../lib/index';
import type { Subscription } from '../../lib/subscription';
import type { Watch } from '../../lib/watch';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/**
 * The fds the addon opens: netlink sockets, eventfds (cancel and stop
 * signals) and namespace fds. tsx's cache files come and go on their own,
 * so they are not counted.
 */
function fds(): number {
  let n = 0;
  for (const f of fs.readdirSync('/proc/self/fd')) {
    try {
      if (/^(socket:|anon_inode:\[eventfd\]|net:)/.test(fs.readlinkSync(`/proc/self/fd/${f}`))) n++;
    } catch {
      // the readdir's own fd, or one closed meanwhile
    }
  }
  return n;
}
const threads = (): number => fs.readdirSync('/proc/self/task').length;
/** Threads blocked in poll(2) (syscall 7 on x86-64): the addon's socket readers; nothing else in node polls. */
function polling(): number {
  let n = 0;
  for (const t of fs.readdirSync('/proc/self/task')) {
    try {
      if (fs.readFileSync(`/proc/self/task/${t}/syscall`, 'utf8').split(' ')[0] === '7') n++;
    } catch {
      // the thread exited meanwhile
    }
  }
  return n;
}

let changes = 0;
function change(ns: string): void {
  execFileSync('ip', ['-n', ns, 'link', 'add', `lc${threadId}x${changes++}`, 'type', 'bridge']);
}

/** Iterates `sub` until it ends; 'clean' when it ended without an error. */
async function drain(sub: AsyncIterable<unknown>, onFirst?: () => void, breakAfterFirst = false): Promise<string> {
  try {
    for await (const u of sub) {
      if ((u as { kind?: string }).kind === 'listed') continue;
      onFirst?.();
      onFirst = undefined;
      if (breakAfterFirst) break;
    }
    return 'clean';
  } catch (err) {
    return `threw ${(err as Error & { code?: string }).code ?? (err as Error).message}`;
  }
}

/** A watch's end: 'clean' once it is closed without an error. */
async function watchEnd<T, U>(w: Watch<T, U>, ms = 3000): Promise<string> {
  const t0 = Date.now();
  while (!w.closed && Date.now() - t0 < ms) await sleep(10);
  if (w.error) return `error ${(w.error as Error & { code?: string }).code ?? w.error.message}`;
  return w.closed ? 'clean' : 'still open';
}

/** Every way to end a subscription or a watch; the result of each. */
async function ways(ns: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const h = new Handle({ netns: ns });
  // A read is waiting when the way is applied.
  const started = (): Promise<void> => sleep(20);

  let sub: Subscription<unknown> = h.linkSubscribe();
  let p = drain(sub);
  await started();
  sub.close();
  out.close = await p;

  sub = h.addrSubscribe();
  p = drain(sub, undefined, true);
  execFileSync('ip', ['-n', ns, 'addr', 'add', `10.${100 + threadId}.${changes++}.1/24`, 'dev', 'lo']);
  out.break = await p;
  out.breakClosed = String(sub.closed);

  const ac = new AbortController();
  sub = h.routeSubscribe({ signal: ac.signal });
  p = drain(sub);
  await started();
  ac.abort();
  out.abort = await p;

  const pre = new AbortController();
  pre.abort();
  sub = h.linkSubscribe({ signal: pre.signal });
  out.abortedBefore = await drain(sub);

  sub = h.linkSubscribe({ listExisting: true });
  let n = 0;
  for await (const b of sub.batches()) {
    n += b.length;
    break;
  }
  out.batchesBreak = `${n > 0 ? 'clean' : 'empty'} ${String(sub.closed)}`;

  const w = h.watchLinks();
  await w.ready;
  change(ns);
  w.close();
  out.watchClose = await watchEnd(w);

  const wc = new AbortController();
  const w2 = h.watchRoutes({ signal: wc.signal });
  await w2.ready;
  wc.abort();
  out.watchAbort = await watchEnd(w2);

  // Closing the handle ends everything opened on it, reading or not.
  const h2 = new Handle({ netns: ns });
  const subs = [h2.linkSubscribe(), h2.addrSubscribe(), h2.routeSubscribe({ listExisting: true })];
  const ps = subs.map((s) => drain(s));
  const w3 = h2.watchAddrs();
  const w4 = h2.watchLinks();
  await w3.ready;
  change(ns);
  await sleep(20);
  h2.close();
  out.handleClose = (await Promise.all(ps)).join(',');
  out.handleCloseWatch = `${await watchEnd(w3)},${await watchEnd(w4)}`;
  h.close();
  return out;
}

async function report(base: { fds: number; threads: number }, extra: object): Promise<void> {
  // Sockets close on the addon's threads as they finish: a moment.
  for (let i = 0; i < 100 && (fds() > base.fds || polling() > 0); i++) await sleep(20);
  const after = { fds: fds(), polling: polling() };
  // The addon keeps idle threads ~10 s for the next job: wait them out.
  const t0 = Date.now();
  while (threads() > base.threads && Date.now() - t0 < 15_000) await sleep(100);
  process.stdout.write(
    JSON.stringify({ ...extra, base, fds: after.fds, polling: after.polling, threads: threads(), waitedMs: Date.now() - t0 }) +
      '\n',
  );
}

function startWorker(data: object): Worker {
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, { eval: true, workerData: data });
}

async function main(): Promise<void> {
  const [mode, ns] = process.argv.slice(2);
  await fs.promises.stat('/'); // libuv's own threads start on first use
  if (mode === 'ref' || mode === 'unref') {
    // An open subscription keeps the process alive like a socket; unref()
    // lets it go (the parent sees whether this process ends by itself).
    const s = linkSubscribe();
    const w = new Handle({ netns: ns }).watchAddrs();
    if (mode === 'unref') {
      s.unref();
      w.unref();
    }
    void drain(s);
    await w.ready;
    process.stdout.write('ready\n');
    return;
  }
  if (mode === 'main') {
    const base = { fds: fds(), threads: threads() };
    const out = await ways(ns);
    await report(base, { ways: out });
    return;
  }
  // mode 'worker': the same ways inside a worker, then a worker ended
  // (terminate()) while its subscriptions and watches are open and reading.
  const warm = startWorker({ ns, role: 'load' });
  await new Promise((r) => warm.once('exit', r));
  const base = { fds: fds(), threads: threads() };
  const w1 = startWorker({ ns, role: 'ways' });
  // Listened for at once: a worker that is done may exit before its
  // message is handled here.
  const w1Exit = new Promise((r) => w1.once('exit', r));
  const inWorker = await new Promise<Record<string, string>>((resolve, reject) => {
    w1.once('message', resolve);
    w1.once('error', reject);
  });
  await w1Exit;
  const w2 = startWorker({ ns, role: 'hold' });
  const held = await new Promise<{ open: number }>((resolve, reject) => {
    w2.once('message', resolve);
    w2.once('error', reject);
  });
  const during = fds();
  await w2.terminate();
  await report(base, { ways: inWorker, held, fdsWhileHeld: during });
}

async function worker(): Promise<void> {
  const { ns, role } = workerData as { ns: string; role: 'load' | 'ways' | 'hold' };
  if (role === 'load') return; // loads tsx and the addon in a worker once
  if (role === 'ways') {
    parentPort!.postMessage(await ways(ns));
    return;
  }
  const h = new Handle({ netns: ns });
  const subs = [h.linkSubscribe(), h.addrSubscribe(), h.routeSubscribe({ listExisting: true })];
  for (const s of subs) void drain(s);
  const ws = [h.watchLinks(), h.watchRoutes()];
  await Promise.all(ws.map((w) => w.ready));
  change(ns);
  await sleep(50);
  parentPort!.postMessage({ open: subs.length + ws.length });
}

if (isMainThread) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
} else {
  void worker();
}
