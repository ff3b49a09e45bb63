// The leak workload: many calls of every kind that exists on Handle, in a
// throwaway namespace, with memory measured after a warm-up and at the end.
// Run in a child process by test/leak/leak.test.ts (node --expose-gc) and under
// LeakSanitizer by scripts/test-asan.sh. Prints one JSON line.
//
//   node --expose-gc --import tsx test/helpers/leak-workload.ts \
//     [--iterations N] [--faults] [--concurrency C]
//
// The call list is data: a call whose method does not exist on Handle (a
// family not merged yet) is skipped, so each new kind is covered once its
// method lands.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LIST_CALLS, type ListCall } from '../../bench/list-calls';
import { Handle } from '../../lib/handle';
import { parse } from '../../lib/parse';
import { cleanupOnSignal } from './cleanup-on-signal';
import { dumpOf, FakeKernel } from './fake-kernel';
import { done, errorMsg, linkMsg } from './netlink-msg';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const ITERATIONS = opt('iterations', 10_000);
const CONCURRENCY = opt('concurrency', 8);
const FAULTS = argv.includes('--faults');

function mem(): { rss: number; external: number; heapUsed: number } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) for (let i = 0; i < 4; i++) g();
  const m = process.memoryUsage();
  return { rss: m.rss, external: m.external + m.arrayBuffers, heapUsed: m.heapUsed };
}

async function pool(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/**
 * parse.links in a loop, turning the event loop now and then: N-API runs the
 * finalizers of the ArrayBuffers it hands out from setImmediate, so a loop
 * that never yields holds every result until it ends.
 */
async function parseMany(buf: Buffer, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    parse.links(buf);
    if (i % 256 === 255) await new Promise((r) => setImmediate(r));
  }
}

async function faults(rounds: number): Promise<number> {
  let n = 0;
  for (let i = 0; i < rounds; i++) {
    const cases: ((k: FakeKernel) => void)[] = [
      (k) => (k.responder = dumpOf(5, { intrOn: 'middle' })),
      (k) => (k.responder = (req, kk) => kk.send(errorMsg(req, -22, 'extack text'))),
      (k) => (k.responder = (_req, kk) => kk.send(Buffer.alloc(9, 0xff))),
      (k) => (k.responder = (req, kk) => kk.send(linkMsg(req.seq, req.pid, 1, 'a'), done(req.seq, req.pid, -12))),
      (k) => (k.responder = () => {}), // timeout
    ];
    for (const c of cases) {
      const k = new FakeKernel(() => {});
      c(k);
      const h = k.handle({ timeoutMs: 20, maxAttempts: 2, logger: { warn() {} } });
      await h.linkList().catch(() => undefined);
      await h.linkByIndex(1).catch(() => undefined);
      h.close();
      k.close();
      n += 2;
    }
  }
  return n;
}

async function main(): Promise<void> {
  const ns = `nlw-leak-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  const cleanup = (): void => {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  };
  process.on('exit', cleanup);
  cleanupOnSignal(cleanup);
  try {
    const lines = ['link set lo up'];
    for (let i = 0; i < 10; i++) {
      lines.push(`link add lk${i} type veth peer name lp${i}`, `link set lk${i} up`, `address add 10.9.${i}.1/24 dev lk${i}`);
      lines.push(`route add 10.99.${i}.0/24 dev lk${i}`);
    }
    execFileSync('ip', ['-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n' });

    const fixture = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'links', 'dump-kinds.bin'));
    const h = new Handle({ netns: ns, logger: { warn() {} } });
    const proto = Handle.prototype as unknown as Record<string, unknown>;
    const calls = LIST_CALLS.filter((c) => typeof proto[c.method] === 'function');
    const run = async (c: ListCall): Promise<void> => {
      await (h as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[c.method](...c.args);
    };
    const counts: Record<string, number> = {};
    const warm = Math.max(1, Math.floor(ITERATIONS / 10));
    // Warm-up: JIT, pools, allocator arenas.
    for (const c of calls) await pool(warm, () => run(c));
    await parseMany(fixture, warm);
    if (FAULTS) await faults(2);
    // Two equal halves after the warm-up: a leak grows memory in both, while
    // warm-up effects (JIT, allocator arenas) are over before the second.
    const samples = [mem()];
    const t0 = Date.now();
    for (const half of [1, 2]) {
      for (const c of calls) {
        await pool(ITERATIONS / 2, () => run(c));
        counts[c.name] = (counts[c.name] ?? 0) + ITERATIONS / 2;
      }
      await parseMany(fixture, ITERATIONS / 2);
      counts['parse.links'] = (counts['parse.links'] ?? 0) + ITERATIONS / 2;
      if (FAULTS) counts['faults'] = (counts['faults'] ?? 0) + (await faults(Math.max(1, Math.floor(ITERATIONS / 200))));
      samples.push(mem());
      void half;
    }
    const [before, mid, afterMem] = samples;
    h.close();
    process.stdout.write(
      JSON.stringify({
        calls: counts,
        skipped: LIST_CALLS.filter((c) => !calls.includes(c)).map((c) => c.name),
        seconds: (Date.now() - t0) / 1000,
        before,
        mid,
        after: afterMem,
        stats: h.stats,
      }) + '\n',
    );
  } finally {
    cleanup();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
