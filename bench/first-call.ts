// The first call of each kind in a fresh process, nlwrap against Go: what a
// CLI run or an agent's start-up sees (decoders not yet compiled by V8,
// threads not yet started). Each process opens its handle first (untimed,
// both peers), then times its first three calls, from the call to the
// returned objects, in-process. nlwrap runs under plain node (no tsx hooks)
// on the compiled package; Go is bench/go's peer with -reps 1, whose first
// call is reported apart from its median. Several processes per kind, the
// median of their first calls. With a profile directory, each nlwrap process
// runs under --cpu-prof and its first call's window is written beside its
// profile, for bench/profile-summary.ts.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, median, type Built, type Kind, type PeerResult } from './peers';
import { run } from './proc';

/** The first call's child: `node -e CHILD NS KIND`, one JSON line. */
const CHILD = `
const nl = require(${JSON.stringify(path.join(BENCH_DIR, '..'))});
const [ns, kind] = process.argv.slice(1);
const h = new nl.Handle({ netns: ns });
const calls = {
  links: () => h.linkList(),
  addrs: () => h.addrList(null, nl.FAMILY_ALL),
  routes: () => h.routeListFiltered(nl.FAMILY_ALL, { table: 0 }, nl.RT_FILTER_TABLE),
  xfrm: () => h.xfrmPolicyList(nl.FAMILY_ALL),
  conntrack: () => h.conntrackTableList(nl.ConntrackTable, nl.FAMILY_ALL),
};
(async () => {
  const ms = [];
  let count = 0;
  let window;
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    count = (await calls[kind]()).length;
    const t1 = process.hrtime.bigint();
    ms.push(Number(t1 - t0) / 1e6);
    // The first call on V8's profiler clock (both are CLOCK_MONOTONIC), in µs.
    window ??= [Number(t0 / 1000n), Number(t1 / 1000n)];
  }
  h.close();
  console.log(JSON.stringify({ count, ms, window }));
})().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
`;

export interface FirstCalls {
  kind: Kind;
  /** Median over the processes of each one's first call (and its 2nd and 3rd in `extra`). */
  nlwrap: PeerResult;
  go: PeerResult;
}

const firstLine = (s: string): string => s.trim().split('\n')[0] ?? '';

/** nlwrap's first calls of `kind` in `processes` fresh processes (CPU profiles into `profileDir`, if set). */
async function nlwrapFirst(ns: string, kind: Kind, processes: number, profileDir?: string): Promise<PeerResult> {
  const first: number[] = [];
  const second: number[] = [];
  const third: number[] = [];
  let count: number | undefined;
  for (let i = 0; i < processes; i++) {
    const prof = profileDir
      ? [
          '--cpu-prof',
          '--cpu-prof-interval',
          '200',
          '--cpu-prof-dir',
          profileDir,
          '--cpu-prof-name',
          `first-${kind}-${i}.cpuprofile`,
        ]
      : [];
    const r = await run(process.execPath, [...prof, '-e', CHILD, ns, kind]);
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    if (r.status !== 0 || !line) return { skip: `child failed: ${firstLine(r.stderr) || `exit ${r.status}`}` };
    const o = JSON.parse(line) as { count: number; ms: number[]; window: [number, number] };
    if (profileDir) writeFileSync(path.join(profileDir, `first-${kind}-${i}.window.json`), JSON.stringify(o.window));
    count = o.count;
    first.push(o.ms[0]);
    second.push(o.ms[1]);
    third.push(o.ms[2]);
  }
  return { count, ms: median(first), extra: { secondMs: median(second), thirdMs: median(third) } };
}

/** Go's first call of `kind` in `processes` fresh go-peer processes. */
async function goFirst(bin: Built, ns: string, kind: Kind, processes: number): Promise<PeerResult> {
  if ('skip' in bin) return { skip: bin.skip };
  const first: number[] = [];
  let count: number | undefined;
  for (let i = 0; i < processes; i++) {
    const r = await run(bin.path, ['-netns', ns, '-reps', '1', kind]);
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    if (r.status !== 0 || !line) return { skip: firstLine(r.stderr) || `exit ${r.status}` };
    const o = JSON.parse(line) as { count: number; first_ms?: number };
    if (o.first_ms === undefined) return { skip: 'the Go peer does not report its first call' };
    count = o.count;
    first.push(o.first_ms);
  }
  return { count, ms: median(first) };
}

/** Every kind's first call, nlwrap and Go taking turns; `profileDir`: nlwrap's CPU profiles (--cpu-prof). */
export async function firstCalls(
  goPeer: Built,
  ns: string,
  kinds: Kind[],
  processes: number,
  profileDir?: string,
): Promise<FirstCalls[]> {
  const out: FirstCalls[] = [];
  for (const kind of kinds)
    out.push({
      kind,
      nlwrap: await nlwrapFirst(ns, kind, processes, profileDir),
      go: await goFirst(goPeer, ns, kind, processes),
    });
  return out;
}
