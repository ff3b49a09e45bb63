// nlwrap in-process: one Handle on the bench namespace, repeated calls, the
// median per call from the call to the resolved array of typed objects.
// It loads the compiled package (dist/, built by `prebench`), the code users
// run: tsx's transpile of lib/ turns every imported constant into a getter.
//
// The calls are written against DESIGN.md's names. Those whose method (or
// constant, or ConntrackFilter) is not in this build yet are reported as
// skipped with the reason, so the bench runs on any branch and picks up each
// family as it is merged.
import * as nl from '../dist/index.js';
import { median, type Kind, type PeerResult } from './peers';

type AnyList = Promise<unknown[]>;

/** The surface the bench calls; every member optional until it is merged. */
interface BenchApi {
  linkList?: () => AnyList;
  addrList?: (link: number | null, family: number) => AnyList;
  routeListFiltered?: (family: number, filter: { table: number }, mask: number) => AnyList;
  xfrmPolicyList?: (family: number) => AnyList;
  conntrackTableList?: (table: number, family: number) => AnyList;
  conntrackTableStream?: (table: number, family: number) => AsyncIterable<unknown[]>;
  conntrackDeleteFilters?: (table: number, family: number, ...filters: unknown[]) => Promise<number>;
  stats: { bytesReceived: number; messagesReceived: number };
  close(): void;
}

interface FilterLike {
  addMark?: (value: number, mask: number) => FilterLike;
}

const exported = nl as unknown as Record<string, unknown>;
const num = (name: string, vishvanandaValue: number): number =>
  typeof exported[name] === 'number' ? (exported[name] as number) : vishvanandaValue;

export const FAMILY_ALL = nl.FAMILY_ALL;
// Values as in vishvananda/netlink, used only until lib/ exports them.
export const RT_FILTER_TABLE = num('RT_FILTER_TABLE', 1 << 10);
export const ConntrackTable = num('ConntrackTable', 1);

export function openHandle(ns: string): BenchApi {
  return new nl.Handle({ netns: ns }) as unknown as BenchApi;
}

const missing = (method: string): PeerResult => ({ skip: `Handle.${method} not in this build yet` });

/** The call for each kind, or why it cannot be made. */
export function kindCall(h: BenchApi, kind: Kind): (() => AnyList) | PeerResult {
  switch (kind) {
    case 'links':
      return typeof h.linkList === 'function' ? () => h.linkList!() : missing('linkList');
    case 'addrs':
      return typeof h.addrList === 'function' ? () => h.addrList!(null, FAMILY_ALL) : missing('addrList');
    case 'routes':
      return typeof h.routeListFiltered === 'function'
        ? () => h.routeListFiltered!(FAMILY_ALL, { table: 0 }, RT_FILTER_TABLE)
        : missing('routeListFiltered');
    case 'xfrm':
      return typeof h.xfrmPolicyList === 'function' ? () => h.xfrmPolicyList!(FAMILY_ALL) : missing('xfrmPolicyList');
    case 'conntrack':
      return typeof h.conntrackTableList === 'function'
        ? () => h.conntrackTableList!(ConntrackTable, FAMILY_ALL)
        : missing('conntrackTableList');
  }
}

/**
 * Warm-up calls (at least WARMUP_CALLS, and on until WARMUP_MS have passed),
 * then `reps` timed calls; median ms, count, bytes and CPU per call. The
 * warm-up (every round: the collection before it can deoptimise) lets
 * V8 optimise the decoders first: the goal is the steady state of a
 * long-running agent, not the first calls of a process. (`npm run bench`
 * runs node with --expose-gc for the collection between rounds.)
 */
const WARMUP_CALLS = 3;
const WARMUP_MS = 300;

export async function timeCalls(h: BenchApi, call: () => AnyList, reps: number): Promise<PeerResult> {
  try {
    // The last round's results are garbage now: collect them here, not in
    // this round's timed calls (the Go peer runs each round in a new process).
    (globalThis as { gc?: () => void }).gc?.();
    let count = 0;
    const warm0 = Date.now();
    for (let i = 0; i < WARMUP_CALLS || (Date.now() - warm0 < WARMUP_MS && i < 100); i++) count = (await call()).length;
    const times: number[] = [];
    const bytes0 = h.stats.bytesReceived;
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) {
      const t0 = process.hrtime.bigint();
      const r = await call();
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      count = r.length;
    }
    // CPU of every thread of the process (reader, parse thread, V8's GC
    // helpers), per call: on a 2-vCPU machine it bounds the wall time.
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / reps;
    return { count, ms: median(times), extra: { bytes: (h.stats.bytesReceived - bytes0) / reps, cpuMs } };
  } catch (err) {
    return { skip: `failed: ${(err as Error).message}` };
  }
}

/** addrList(oneLink): kernel-side filtered vs all addresses filtered in JS. */
export async function addrOneLink(
  h: BenchApi,
  ifindex: number,
  reps: number,
): Promise<{ kernel: PeerResult; client: PeerResult }> {
  if (typeof h.addrList !== 'function') return { kernel: missing('addrList'), client: missing('addrList') };
  const kernel = await timeCalls(h, () => h.addrList!(ifindex, FAMILY_ALL), reps);
  const client = await timeCalls(
    h,
    async () => ((await h.addrList!(null, FAMILY_ALL)) as { linkIndex?: number }[]).filter((a) => a.linkIndex === ifindex),
    reps,
  );
  return { kernel, client };
}

/** A ConntrackFilter matching mark m, or why there is none. */
export function markFilter(mark: number): { filter: FilterLike } | { skip: string } {
  const Ctor = exported.ConntrackFilter as (new () => FilterLike) | undefined;
  if (typeof Ctor !== 'function') return { skip: 'ConntrackFilter not in this build yet' };
  const f = new Ctor();
  if (typeof f.addMark !== 'function') return { skip: 'ConntrackFilter.addMark not in this build yet' };
  return { filter: f.addMark(mark, 0xffffffff) };
}

/** conntrackDeleteFilters with a mark filter, once per mark; median ms and counts. */
export async function deleteByMark(h: BenchApi, marks: number[]): Promise<PeerResult & { deleted?: number[] }> {
  if (typeof h.conntrackDeleteFilters !== 'function') return missing('conntrackDeleteFilters');
  const times: number[] = [];
  const deleted: number[] = [];
  for (const m of marks) {
    const f = markFilter(m);
    if ('skip' in f) return f;
    try {
      const t0 = process.hrtime.bigint();
      deleted.push(await h.conntrackDeleteFilters(ConntrackTable, FAMILY_ALL, f.filter));
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    } catch (err) {
      return { skip: `failed: ${(err as Error).message}` };
    }
  }
  return { ms: median(times), deleted, count: deleted[0] };
}
