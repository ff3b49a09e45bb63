// Child process of the bench (fresh heap): the big conntrack table through
// conntrackTableStream, each batch folded into counters and dropped, as an
// agent that only counts flows would do. Memory must not grow with the
// table, timers must keep running, and the whole stream must cost about what
// a bare C dumper does.
//
//   node --expose-gc --import tsx bench/ct-stream.ts NETNS
//
// - Peak RSS growth: VmHWM during the stream minus VmRSS before it, after a
//   full GC and with the high-water mark reset (/proc/self/clear_refs);
//   RSS is also sampled on every timer tick.
// - Timer lag: perf_hooks.monitorEventLoopDelay at 1 ms resolution.
// - Time: from the call to the last batch folded.
// The first stream of the process (cold: decoders not yet optimised, the
// addon's threads not yet started) and the median of three more (warm), each
// after a full GC. Then two floors for the lag: as many flows copied in
// plain JS from one batch, 256 per event-loop turn, folded and dropped (V8's
// own, no netlink, no addon), and an idle event loop for a second (the
// machine's: on a loaded host the scheduler alone delays timers). Prints one
// JSON line.
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ConntrackTable, FAMILY_ALL, openHandle } from './nlwrap';
import { copyFlow, type Flow as CopyFlow } from './flow-copy';
import { median } from './peers';

const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => {});

function statusBytes(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

interface Flow {
  forward: { protocol: number };
  status: number | null;
}

interface Run {
  ms: number;
  lagMs: number;
  rssGrowthBytes: number;
  flows: number;
}

/** Max timer lag of `total` flows copied from `batch` in plain JS, 256 per turn, folded and dropped. */
async function jsFold(batch: Flow[], total: number): Promise<number> {
  if (batch.length === 0) return NaN;
  gc();
  const hist = monitorEventLoopDelay({ resolution: 1 });
  hist.enable();
  let tcp = 0;
  for (let done = 0; done < total;) {
    const copies: CopyFlow[] = [];
    for (let k = 0; k < 256 && done < total; k++, done++) copies.push(copyFlow(batch[k % batch.length] as unknown as CopyFlow));
    for (const f of copies) if ((f.forward as { protocol: number }).protocol === 6) tcp++;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  hist.disable();
  if (tcp < 0) throw new Error('unreachable: keeps the counter alive');
  return hist.max / 1e6;
}

/** Max timer lag of an event loop that does nothing for `ms`. */
async function idleLag(ms: number): Promise<number> {
  const hist = monitorEventLoopDelay({ resolution: 1 });
  hist.enable();
  await new Promise<void>((resolve) => setTimeout(resolve, ms));
  hist.disable();
  return hist.max / 1e6;
}

async function main(): Promise<void> {
  const ns = process.argv[2];
  const h = openHandle(ns);
  if (typeof h.conntrackTableStream !== 'function') {
    console.log(JSON.stringify({ skip: 'Handle.conntrackTableStream not in this build yet' }));
    h.close();
    return;
  }
  let peak = 0;
  const sample = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 1);

  let sampleBatch: Flow[] = [];
  const once = async (): Promise<Run> => {
    gc();
    let hwmReset = true;
    try {
      writeFileSync('/proc/self/clear_refs', '5');
    } catch {
      hwmReset = false;
    }
    const rss0 = statusBytes('VmRSS');
    peak = rss0;
    const hist = monitorEventLoopDelay({ resolution: 1 });
    hist.enable();
    const t0 = process.hrtime.bigint();
    // The counters an agent keeps: flows per protocol, and how many are assured.
    const perProto = new Map<number, number>();
    let assured = 0;
    let flows = 0;
    for await (const batch of h.conntrackTableStream!(ConntrackTable, FAMILY_ALL)) {
      for (const f of batch as Flow[]) {
        perProto.set(f.forward.protocol, (perProto.get(f.forward.protocol) ?? 0) + 1);
        if ((f.status ?? 0) & 4) assured++;
      }
      flows += batch.length;
      if (sampleBatch.length === 0) sampleBatch = batch as Flow[];
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    hist.disable();
    const hwm = hwmReset ? statusBytes('VmHWM') : NaN;
    const top = Math.max(peak, Number.isNaN(hwm) ? 0 : hwm);
    if (assured > flows) throw new Error('unreachable: keeps the counters alive');
    return { ms, lagMs: hist.max / 1e6, rssGrowthBytes: top - rss0, flows };
  };

  const cold = await once();
  const warm: Run[] = [];
  for (let i = 0; i < 3; i++) warm.push(await once());
  clearInterval(sample);
  const jsFoldLagMs = await jsFold(sampleBatch, cold.flows);
  const idleLagMs = await idleLag(1000);
  h.close();
  console.log(
    JSON.stringify({
      flows: cold.flows,
      coldMs: cold.ms,
      warmMs: median(warm.map((r) => r.ms)),
      lagColdMs: cold.lagMs,
      lagWarmMs: Math.max(...warm.map((r) => r.lagMs)),
      rssGrowthColdBytes: cold.rssGrowthBytes,
      rssGrowthWarmBytes: Math.max(...warm.map((r) => r.rssGrowthBytes)),
      jsFoldLagMs,
      idleLagMs,
    }),
  );
}

main().catch((err: Error) => {
  console.log(JSON.stringify({ skip: `failed: ${err.message}` }));
});
