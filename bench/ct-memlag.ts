// Child process of the bench (fresh heap): the memory and event-loop cost of
// one big conntrackTableList (goals: peak RSS growth below 2x the size of the
// objects returned; timer lag within 1.5x of what V8 itself costs for as many
// objects, the pure-JS copy below).
//
//   node --expose-gc --import tsx bench/ct-memlag.ts NETNS [KIND]
//
// KIND (default conntrack) lets the same measurement run on another list.
//
// - Peak RSS growth: VmHWM after the first call minus VmRSS before it, with the
//   high-water mark reset first (writing 5 to /proc/self/clear_refs, Linux >= 4.0);
//   RSS is also sampled on every timer tick in case the reset is refused.
// - Size of the objects: heap used + external memory with the result alive,
//   minus the same before the call, both after a full GC.
// - Timer lag: perf_hooks.monitorEventLoopDelay at 1 ms resolution, max over
//   the first (cold: code not yet optimised) call and two warm ones, each
//   after a full GC, as the floor's runs below (an agent's calls a second
//   apart find the last one's garbage collected).
// - The same lag for a pure-JS copy of the flows the list returned (spread
//   copies, 256 flows per event-loop turn, no netlink and no addon): what
//   V8's own collections cost this machine for that many objects, the
//   floor under nlwrap's figure; and the lag of an idle event loop over a
//   second (on a loaded host the scheduler alone delays timers).
// Prints one JSON line.
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { copyFlow, type Flow } from './flow-copy';
import { openHandle, kindCall } from './nlwrap';
import { KINDS, type Kind } from './peers';

const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => {});

function statusKb(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function heap(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** A copy of every flow, built 256 per event-loop turn. */
async function copyInSlices(flows: Flow[]): Promise<Flow[]> {
  const out: Flow[] = [];
  for (let i = 0; i < flows.length;) {
    const end = Math.min(flows.length, i + 256);
    for (; i < end; i++) out.push(copyFlow(flows[i]));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}

async function main(): Promise<void> {
  const ns = process.argv[2];
  const kind = (process.argv[3] ?? 'conntrack') as Kind;
  if (!KINDS.includes(kind)) throw new Error(`unknown kind ${kind}`);
  const h = openHandle(ns);
  const call = kindCall(h, kind);
  if (typeof call !== 'function') {
    console.log(JSON.stringify({ skip: call.skip }));
    h.close();
    return;
  }
  let peakSampled = 0;
  const sample = setInterval(() => {
    peakSampled = Math.max(peakSampled, process.memoryUsage.rss());
  }, 1);

  const lag = async (f: () => Promise<unknown>): Promise<{ maxMs: number; value: unknown }> => {
    const hist = monitorEventLoopDelay({ resolution: 1 });
    hist.enable();
    const value = await f();
    hist.disable();
    return { maxMs: hist.max / 1e6, value };
  };

  gc();
  const heap0 = heap();
  let hwmReset = true;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    hwmReset = false;
  }
  const rss0 = statusKb('VmRSS');
  peakSampled = rss0;
  const cold = await lag(call);
  const hwm = hwmReset ? statusKb('VmHWM') : NaN;
  const flows = cold.value as Flow[];
  const peak = Math.max(peakSampled, Number.isNaN(hwm) ? 0 : hwm);
  gc();
  const objectsBytes = heap() - heap0;
  const count = flows.length;
  let jsCopyLagMs = 0;
  for (let i = 0; i < 2; i++) {
    gc();
    jsCopyLagMs = Math.max(jsCopyLagMs, (await lag(() => copyInSlices(flows))).maxMs);
  }
  flows.length = 0;
  cold.value = null;
  gc();

  // The machine's own floor: an idle event loop for a second.
  const idle = monitorEventLoopDelay({ resolution: 1 });
  idle.enable();
  await new Promise<void>((resolve) => setTimeout(resolve, 1000));
  idle.disable();
  const idleLagMs = idle.max / 1e6;

  let warmMax = 0;
  for (let i = 0; i < 2; i++) {
    gc();
    warmMax = Math.max(warmMax, (await lag(call)).maxMs);
  }
  clearInterval(sample);
  h.close();
  console.log(
    JSON.stringify({
      flows: count,
      rssGrowthBytes: peak - rss0,
      objectsBytes,
      lagColdMs: cold.maxMs,
      lagWarmMs: warmMax,
      jsCopyLagMs,
      idleLagMs,
      hwmReset,
    }),
  );
}

main().catch((err: Error) => {
  console.log(JSON.stringify({ skip: `failed: ${err.message}` }));
});
