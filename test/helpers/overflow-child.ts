// Child process for test/kernel/subscribe.test.ts: a consumer that sleeps between
// batches while an `ip -batch` storm of route changes runs in the namespace,
// so the subscription's bounded queue overflows. Measures this process's RSS
// (sampled every 5 ms, against a baseline taken after a GC) and prints one
// JSON line: updates, loss markers, whether updates kept arriving after the
// last marker, and the peak RSS growth.
//
//   node --expose-gc --import tsx overflow-child.ts NS EVENTS SLEEP_MS MAX_QUEUED
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Handle } from '../../lib/handle';
import type { LossMarker } from '../../lib/subscription';
import { FAMILY_V4 } from '../../lib/constants';

const [ns, eventsArg, sleepArg, maxQueuedArg] = process.argv.slice(2);
const events = Number(eventsArg);
const sleepMs = Number(sleepArg);
const maxQueued = Number(maxQueuedArg);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// The commands go through a file written before the baseline, so that the
// storm's own strings do not count in this process's memory.
function ipBatch(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn('ip', ['-n', ns, '-batch', file], { stdio: ['ignore', 'ignore', 'inherit'] });
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ip -batch exited ${code}`))));
  });
}

function writeStorm(file: string): void {
  // Host routes, added then deleted: `events` changes in all.
  const half = events / 2;
  const route = (i: number): string => `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`;
  const lines: string[] = [];
  for (let i = 0; i < half; i++) lines.push(`route add ${route(i)} via 10.9.0.2`);
  for (let i = 0; i < half; i++) lines.push(`route del ${route(i)} via 10.9.0.2`);
  writeFileSync(file, lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nlw-overflow-'));
  const storm = path.join(dir, 'storm');
  const sentinel = path.join(dir, 'sentinel');
  writeStorm(storm);
  const h = new Handle({ netns: ns });
  global.gc?.();
  await sleep(50);
  global.gc?.();
  const m0 = process.memoryUsage();
  const rss0 = m0.rss;
  let peak = rss0;
  let atPeak = process.memoryUsage();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak) {
      peak = m.rss;
      atPeak = m;
    }
  }, 5);

  const sub = h.routeSubscribe({ family: FAMILY_V4, maxQueued });
  const markers: LossMarker[] = [];
  let updates = 0;
  let afterLastMarker = 0;
  let sawSentinel = false;
  const consumer = (async () => {
    for (let b = await sub.nextBatch(); b !== null; b = await sub.nextBatch()) {
      for (const u of b) {
        if (u.kind === 'loss') {
          markers.push(u);
          afterLastMarker = 0;
        } else if (u.kind === 'route') {
          updates++;
          afterLastMarker++;
          if (u.route.dst?.startsWith('203.0.113.')) sawSentinel = true;
        }
      }
      if (sawSentinel) return;
      await sleep(sleepMs);
    }
  })();

  const t0 = Date.now();
  await ipBatch(storm);
  const stormMs = Date.now() - t0;
  // A sentinel change after the storm, a new one until one is seen (an
  // earlier one may itself be dropped by the full queue).
  let sentinels = 0;
  for (let i = 0; !sawSentinel && i < 100; i++, sentinels++) {
    writeFileSync(sentinel, `route add 203.0.113.${i}/32 via 10.9.0.2\n`);
    await ipBatch(sentinel);
    await Promise.race([consumer, sleep(sleepMs + 200)]);
  }
  await consumer;
  clearInterval(sampler);
  sub.close();
  h.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    JSON.stringify({
      updates,
      sentinels,
      markers,
      afterLastMarker,
      sawSentinel,
      stormMs,
      rss0,
      peakGrowth: peak - rss0,
      m0,
      atPeak,
      stats: sub.stats,
    }) + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
