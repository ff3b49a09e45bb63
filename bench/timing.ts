// The timing loop of the in-process peers, free of any nlwrap import: the
// bench's own build (bench/nlwrap.ts) and another build of the package
// (bench/build-child.ts, for bench/compare.ts) are timed by the same code.
import { median, type Kind, type PeerResult } from './peers';

export type AnyList = Promise<unknown[]>;

/** The surface the bench calls; every member optional until it is merged. */
export interface BenchApi {
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

/** The constants the calls pass, from the build under test. */
export interface CallConstants {
  FAMILY_ALL: number;
  RT_FILTER_TABLE: number;
  ConntrackTable: number;
}

/** The constants a build exports, with vishvananda's values for those it does not export yet. */
export function callConstants(exported: Record<string, unknown>): CallConstants {
  const num = (name: string, vishvanandaValue: number): number =>
    typeof exported[name] === 'number' ? exported[name] : vishvanandaValue;
  return {
    FAMILY_ALL: num('FAMILY_ALL', 0),
    RT_FILTER_TABLE: num('RT_FILTER_TABLE', 1 << 10),
    ConntrackTable: num('ConntrackTable', 1),
  };
}

export const missing = (method: string): PeerResult => ({ skip: `Handle.${method} not in this build yet` });

/** The call for each kind, or why it cannot be made. */
export function kindCall(h: BenchApi, kind: Kind, c: CallConstants): (() => AnyList) | PeerResult {
  switch (kind) {
    case 'links':
      return typeof h.linkList === 'function' ? () => h.linkList!() : missing('linkList');
    case 'addrs':
      return typeof h.addrList === 'function' ? () => h.addrList!(null, c.FAMILY_ALL) : missing('addrList');
    case 'routes':
      return typeof h.routeListFiltered === 'function'
        ? () => h.routeListFiltered!(c.FAMILY_ALL, { table: 0 }, c.RT_FILTER_TABLE)
        : missing('routeListFiltered');
    case 'xfrm':
      return typeof h.xfrmPolicyList === 'function' ? () => h.xfrmPolicyList!(c.FAMILY_ALL) : missing('xfrmPolicyList');
    case 'conntrack':
      return typeof h.conntrackTableList === 'function'
        ? () => h.conntrackTableList!(c.ConntrackTable, c.FAMILY_ALL)
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
