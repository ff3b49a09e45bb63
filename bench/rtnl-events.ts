// The rtnetlink events bench: address and route subscriptions side by side
// in one namespace, each receiver a process of its own, all listening at
// once (the conntrack event storm is bench/events.ts).
//
// Storm: three `ip -batch` writers each add then delete STORM_ROUTES host
// routes, and a fourth adds then deletes STORM_ADDRS /32 addresses (each
// also a local route), all at once, as fast as the kernel takes them. Every
// receiver follows addresses and routes with its default options: nlwrap's
// addrSubscribe + routeSubscribe (bench/rtnl-events-receiver.ts), vishvananda's
// AddrSubscribeWithOptions + RouteSubscribeWithOptions (bench/go/rtnl_events.go)
// and `ip -o monitor address route`. The kernel's count of events is known
// from the commands, so each receiver's loss is exact; whether it said so is
// read from its own channel: nlwrap's loss markers, the Go callback's
// errors (and its subscription closing), ip's "No buffer space" lines.
// CPU per event is each receiver's own CPU time (getrusage / cpuUsage /
// /proc/PID/stat) over the events it delivered.
//
// Idle: the Go peer adds IDLE_CHANGES routes 5 ms apart and notes when it
// sent each (CLOCK_MONOTONIC, CLOCK_REALTIME); each receiver notes when the
// route reached it (its consumer for nlwrap and Go, the printed line's
// timestamp for `ip -ts monitor`); the median difference is the delay.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { rtnlEventsNamespace } from './fixture';
import { BENCH_DIR, median, type Built } from './peers';
import { processCpuMs, run, spawnTracked } from './proc';
import type { Goal } from './report';

const STORM_ROUTES = 30_000; // per route writer, added then deleted
const ROUTE_WRITERS = 3;
const STORM_ADDRS = 5_000; // added then deleted
const IDLE_CHANGES = 200;
const SENTINEL = '198.51.100.255/32';
/** Wait for receivers after the sentinel: one that died never sees it. */
const GRACE_MS = 5_000;

export type Receiver = 'nlwrap' | 'go' | 'ip';
export const RECEIVERS: { id: Receiver; label: string }[] = [
  { id: 'nlwrap', label: 'nlwrap addrSubscribe + routeSubscribe' },
  { id: 'go', label: 'vishvananda Addr/RouteSubscribe (Go)' },
  { id: 'ip', label: 'ip monitor address route' },
];

export interface StormFigures {
  delivered: number;
  lost: number;
  /** How the receiver said it lost events, or '' when it did not. */
  signalled: string;
  /** Its subscription ended by itself (vishvananda at the first receive error). */
  died?: string;
  eventsPerSec?: number;
  cpuUsPerEvent?: number;
  skip?: string;
}

export interface IdleFigures {
  medianMs?: number;
  p99Ms?: number;
  received?: number;
  skip?: string;
}

export interface RtnlEventsResult {
  expected: number;
  stormMs: number;
  storm: Record<Receiver, StormFigures>;
  idle: Record<Receiver, IdleFigures>;
  skip?: string;
}

interface Line {
  text: string;
  ns: number;
}

/** A receiver process: its stdout lines as they come, with their arrival time. */
class Child {
  readonly p: ChildProcess;
  readonly lines: Line[] = [];
  stderr = '';
  readonly closed: Promise<number | null>;
  #partial = '';
  #waiters: (() => void)[] = [];

  constructor(cmd: string, args: string[]) {
    this.p = spawnTracked(cmd, args, path.join(BENCH_DIR, '..'));
    this.p.stdout!.on('data', (b: Buffer) => {
      const now = Number(process.hrtime.bigint());
      const parts = (this.#partial + b.toString()).split('\n');
      this.#partial = parts.pop()!;
      for (const text of parts) this.lines.push({ text, ns: now });
      for (const w of this.#waiters.splice(0)) w();
    });
    this.p.stderr!.on('data', (b: Buffer) => (this.stderr += b.toString()));
    this.closed = new Promise((resolve) => this.p.on('close', (code) => resolve(code)));
  }

  async waitLine(pred: (l: string) => boolean, ms: number): Promise<Line | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const l = this.lines.find((x) => pred(x.text));
      if (l) return l;
      const left = deadline - Date.now();
      if (left <= 0 || this.p.exitCode !== null) return null;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** The last JSON line it printed, once it exits (SIGTERM after `ms`). */
  async result<T>(ms: number): Promise<T | null> {
    const t = setTimeout(() => this.p.kill('SIGTERM'), ms);
    await this.closed;
    clearTimeout(t);
    const l = [...this.lines].reverse().find((x) => x.text.startsWith('{') && !x.text.includes('"ready"'));
    return l ? (JSON.parse(l.text) as T) : null;
  }
}

function nodeReceiver(ns: string, mode: 'storm' | 'idle'): Child {
  return new Child(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'rtnl-events-receiver.ts'), ns, mode, SENTINEL]);
}

interface ReceiverJson {
  addr: number;
  route: number;
  firstNs: number;
  lastNs: number;
  cpuNs: number;
  sentinel: boolean;
  recv?: Record<string, number>;
  lossMarkers?: { reason: string; dropped: number | null }[];
  errors?: string[];
  closed?: boolean;
  closedAtNs?: number;
}

/** Both parts in a fresh namespace of their own (deleted by the caller). */
export async function runRtnlEvents(goPeer: Built, log: (s: string) => void): Promise<RtnlEventsResult> {
  const ns = await rtnlEventsNamespace();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nlbench-events-'));
  try {
    const storm = await runStorm(ns, dir, goPeer, log);
    const idle = await runIdle(ns, goPeer, log);
    return { ...storm, idle };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runStorm(
  ns: string,
  dir: string,
  goPeer: Built,
  log: (s: string) => void,
): Promise<Omit<RtnlEventsResult, 'idle'>> {
  const files: string[] = [];
  for (let w = 0; w < ROUTE_WRITERS; w++) {
    const dst = (i: number): string => `10.${100 + w}.${i >> 8}.${i & 255}/32`;
    const lines = [
      ...Array.from({ length: STORM_ROUTES }, (_, i) => `route add ${dst(i)} dev va`),
      ...Array.from({ length: STORM_ROUTES }, (_, i) => `route del ${dst(i)} dev va`),
    ];
    files.push(path.join(dir, `routes${w}`));
    writeFileSync(files[w], lines.join('\n') + '\n');
  }
  const addr = (i: number): string => `172.16.${i >> 8}.${i & 255}/32`;
  files.push(path.join(dir, 'addrs'));
  writeFileSync(
    files[ROUTE_WRITERS],
    [
      ...Array.from({ length: STORM_ADDRS }, (_, i) => `addr add ${addr(i)} dev vb`),
      ...Array.from({ length: STORM_ADDRS }, (_, i) => `addr del ${addr(i)} dev vb`),
    ].join('\n') + '\n',
  );
  // Each route command is one event; each /32 address one address event
  // and one local route; the sentinel one more route.
  const expectedAddr = 2 * STORM_ADDRS;
  const expectedRoute = 2 * STORM_ROUTES * ROUTE_WRITERS + 2 * STORM_ADDRS + 1;
  const expected = expectedAddr + expectedRoute;
  log(
    `events storm: ${ROUTE_WRITERS} writers × ${STORM_ROUTES} routes added and deleted, 1 × ${STORM_ADDRS} addresses: ` +
      `${expected} events, receivers side by side`,
  );

  const kids: Partial<Record<Receiver, Child>> = {};
  const results: Record<Receiver, StormFigures> = {
    nlwrap: { delivered: 0, lost: 0, signalled: '' },
    go: { delivered: 0, lost: 0, signalled: '' },
    ip: { delivered: 0, lost: 0, signalled: '' },
  };
  kids.nlwrap = nodeReceiver(ns, 'storm');
  if ('path' in goPeer) kids.go = new Child(goPeer.path, ['-netns', ns, '-subscribe', 'storm', '-sentinel', SENTINEL]);
  else results.go.skip = goPeer.skip;
  kids.ip = new Child('ip', ['-n', ns, '-o', 'monitor', 'address', 'route']);
  for (const id of ['nlwrap', 'go'] as const) {
    const k = kids[id];
    if (k && !(await k.waitLine((l) => l.includes('"ready"'), 20_000))) results[id].skip = `did not start: ${k.stderr.trim()}`;
  }
  await new Promise((r) => setTimeout(r, 300)); // ip monitor says nothing when ready
  const ipCpu0 = processCpuMs(kids.ip.p.pid!) * 1e6;

  const t0 = Number(process.hrtime.bigint());
  const writers = await Promise.all(files.map((f) => run('ip', ['-n', ns, '-batch', f], { discardStdout: true })));
  const stormMs = (Number(process.hrtime.bigint()) - t0) / 1e6;
  for (const w of writers) if (w.status !== 0) throw new Error(`storm writer failed: ${w.stderr.trim().slice(0, 300)}`);
  await run('ip', ['-n', ns, 'route', 'add', SENTINEL, 'dev', 'lo']);
  log(`  storm took ${stormMs.toFixed(0)} ms (${((expected / stormMs) * 1000).toFixed(0)} events/s offered)`);

  // ip monitor: its lines are the events; the sentinel's is the last.
  const ipLast = await kids.ip.waitLine((l) => l.includes(SENTINEL.split('/')[0]), GRACE_MS);
  const ipCpu = processCpuMs(kids.ip.p.pid!) * 1e6 - ipCpu0;
  kids.ip.p.kill('SIGTERM');
  await kids.ip.closed;
  const ipEvents = kids.ip.lines.filter((l) => l.ns >= t0 && l.text.trim() !== '').length;
  const ipLastNs = ipLast?.ns ?? kids.ip.lines.at(-1)?.ns ?? t0;
  const enobufs = (kids.ip.stderr.match(/No buffer space available/g) ?? []).length;
  results.ip = figures(
    ipEvents,
    expected,
    ipCpu,
    ipLastNs - t0,
    enobufs ? `${enobufs} × "No buffer space available" on stderr` : '',
  );

  for (const id of ['nlwrap', 'go'] as const) {
    const k = kids[id];
    if (!k || results[id].skip) {
      k?.p.kill('SIGKILL');
      continue;
    }
    const r = await k.result<ReceiverJson>(GRACE_MS);
    if (!r) {
      results[id].skip = `no result: ${k.stderr.trim().slice(0, 200)}`;
      continue;
    }
    const got = r.addr + r.route;
    let signalled = '';
    let died: string | undefined;
    if (id === 'nlwrap') {
      const m = r.lossMarkers ?? [];
      if (m.length) signalled = `${m.length} loss markers (${[...new Set(m.map((x) => x.reason))].join(', ')})`;
    } else {
      const errs = r.errors ?? [];
      if (errs.length) signalled = `ErrorCallback: ${[...new Set(errs)].join('; ')}`;
      if (r.closed) died = `subscription closed at ${((r.closedAtNs! - t0) / 1e6).toFixed(0)} ms`;
    }
    results[id] = { ...figures(got, expected, r.cpuNs, r.lastNs - t0, signalled), died };
  }
  return { expected, stormMs, storm: results };
}

function figures(delivered: number, expected: number, cpuNs: number, spanNs: number, signalled: string): StormFigures {
  return {
    delivered,
    lost: expected - delivered,
    signalled,
    eventsPerSec: spanNs > 0 ? delivered / (spanNs / 1e9) : undefined,
    cpuUsPerEvent: delivered > 0 ? cpuNs / 1e3 / delivered : undefined,
  };
}

async function runIdle(ns: string, goPeer: Built, log: (s: string) => void): Promise<Record<Receiver, IdleFigures>> {
  const out: Record<Receiver, IdleFigures> = { nlwrap: {}, go: {}, ip: {} };
  if (!('path' in goPeer)) {
    for (const r of RECEIVERS) out[r.id] = { skip: `the trigger is the Go peer: ${goPeer.skip}` };
    return out;
  }
  await run('ip', ['-n', ns, 'route', 'del', SENTINEL, 'dev', 'lo']);
  log(`events idle: ${IDLE_CHANGES} route changes 5 ms apart, delay from each change to its delivery`);
  const kids = {
    nlwrap: nodeReceiver(ns, 'idle'),
    go: new Child(goPeer.path, ['-netns', ns, '-subscribe', 'idle', '-sentinel', SENTINEL]),
    ip: new Child('ip', ['-n', ns, '-o', '-ts', 'monitor', 'route']),
  };
  for (const id of ['nlwrap', 'go'] as const)
    if (!(await kids[id].waitLine((l) => l.includes('"ready"'), 20_000)))
      out[id].skip = `did not start: ${kids[id].stderr.trim()}`;
  await new Promise((r) => setTimeout(r, 300));
  const trig = await run(goPeer.path, ['-netns', ns, '-trigger', String(IDLE_CHANGES), '-gap-ms', '5', '-sentinel', SENTINEL]);
  if (trig.status !== 0) {
    for (const k of Object.values(kids)) k.p.kill('SIGKILL');
    for (const r of RECEIVERS) out[r.id] = { skip: `trigger failed: ${trig.stderr.trim()}` };
    return out;
  }
  const sent = JSON.parse(trig.stdout.trim().split('\n').pop()!) as { dst: string; monoNs: number; realNs: number }[];
  const delays = (recv: (dst: string) => number | undefined, clock: 'monoNs' | 'realNs'): IdleFigures => {
    const d: number[] = [];
    for (const s of sent) {
      const r = recv(s.dst);
      if (r !== undefined) d.push((r - s[clock]) / 1e6);
    }
    if (d.length === 0) return { skip: 'nothing received' };
    d.sort((a, b) => a - b);
    return { medianMs: median(d), p99Ms: d[Math.min(d.length - 1, Math.floor(d.length * 0.99))], received: d.length };
  };
  for (const id of ['nlwrap', 'go'] as const) {
    if (out[id].skip) continue;
    const r = await kids[id].result<ReceiverJson>(GRACE_MS);
    out[id] = r?.recv ? delays((dst) => r.recv![dst], 'monoNs') : { skip: `no result: ${kids[id].stderr.trim().slice(0, 200)}` };
  }
  // `ip -ts` stamps each line with the wall clock (local time, µs).
  await kids.ip.waitLine((l) => l.includes(SENTINEL.split('/')[0]), GRACE_MS);
  kids.ip.p.kill('SIGTERM');
  await kids.ip.closed;
  const ipRecv = new Map<string, number>();
  for (const { text } of kids.ip.lines) {
    const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})\] (\d+\.\d+\.\d+\.\d+) /.exec(text);
    if (m) ipRecv.set(`${m[3]}/32`, new Date(m[1]).getTime() * 1e6 + Number(m[2]) * 1e3);
  }
  out.ip = delays((dst) => ipRecv.get(dst), 'realNs');
  return out;
}

export function rtnlEventsGoals(e: RtnlEventsResult): Goal[] {
  const n = e.storm.nlwrap;
  const g = e.storm.go;
  const out: Goal[] = [];
  const nlwrapLost = n.skip === undefined && (n.lost !== 0 || n.signalled !== '');
  out.push({
    what: 'default buffer: nlwrap loses nothing where Go dies of ENOBUFS',
    ok: n.skip !== undefined || g.skip !== undefined ? null : nlwrapLost ? false : g.died !== undefined ? true : null,
    detail:
      n.skip ??
      g.skip ??
      `nlwrap lost ${n.lost}${n.signalled ? ` (${n.signalled})` : ''}; Go: ${g.died ?? 'did not die at this rate'}`,
  });
  out.push({
    what: 'CPU per event below Go',
    ok: n.cpuUsPerEvent === undefined || g.cpuUsPerEvent === undefined ? null : n.cpuUsPerEvent < g.cpuUsPerEvent,
    detail:
      n.cpuUsPerEvent === undefined || g.cpuUsPerEvent === undefined
        ? (n.skip ?? g.skip ?? 'not measured')
        : `${n.cpuUsPerEvent.toFixed(2)} vs ${g.cpuUsPerEvent.toFixed(2)} µs/event`,
  });
  const d = e.idle.nlwrap;
  out.push({
    what: 'idle change-to-delivery delay < 1 ms median',
    ok: d.medianMs === undefined ? null : d.medianMs < 1,
    detail:
      d.medianMs === undefined ? (d.skip ?? 'not measured') : `median ${d.medianMs.toFixed(3)} ms, p99 ${d.p99Ms!.toFixed(3)} ms`,
  });
  return out;
}

/** The table, one row per receiver, and the goals. */
export function renderRtnlEvents(e: RtnlEventsResult, gs: Goal[]): string {
  const out: string[] = [];
  const num = (v: number | undefined, digits = 0): string => (v === undefined ? '—' : v.toFixed(digits));
  const head = ['receiver', 'delivered', 'lost', 'loss signalled', 'events/s', 'CPU µs/event', 'idle delay median ms', 'p99 ms'];
  const rows = RECEIVERS.map(({ id, label }) => {
    const s = e.storm[id];
    const i = e.idle[id];
    if (s.skip !== undefined) return [label, '—', '—', `skipped: ${s.skip}`, '—', '—', num(i.medianMs, 3), num(i.p99Ms, 3)];
    const said = s.lost === 0 && s.signalled === '' ? 'nothing lost' : s.signalled || 'NO (silent loss)';
    return [
      label,
      String(s.delivered),
      String(s.lost),
      said + (s.died ? `; ${s.died}` : ''),
      num(s.eventsPerSec),
      num(s.cpuUsPerEvent, 2),
      num(i.medianMs, 3),
      num(i.p99Ms, 3),
    ];
  });
  const w = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]): string => r.map((c, k) => (k === 0 || k === 3 ? c.padEnd(w[k]) : c.padStart(w[k]))).join('  ');
  out.push(
    '',
    `rtnetlink events: a storm of ${e.expected} address and route events in ${e.stormMs.toFixed(0)} ms ` +
      `(${((e.expected / e.stormMs) * 1000).toFixed(0)}/s offered), every receiver listening at once; ` +
      `idle: ${IDLE_CHANGES} single route changes 5 ms apart`,
    line(head),
    w.map((n) => '-'.repeat(n)).join('  '),
    ...rows.map(line),
  );
  for (const { id, label } of RECEIVERS) if (e.idle[id].skip) out.push(`note: ${label}: idle delay skipped: ${e.idle[id].skip}`);
  const w0 = Math.max(...gs.map((g) => g.what.length));
  out.push(
    '',
    'goals (rtnetlink events):',
    ...gs.map(
      (g) => `  ${(g.ok === null ? 'NOT MEASURED' : g.ok ? 'PASS' : 'MISS').padEnd(12)}  ${g.what.padEnd(w0)}  ${g.detail}`,
    ),
  );
  return out.join('\n');
}
