// The conntrack event storm of the bench: build/ct-insert (the flow
// inserter of the tests, scripts/build-ct-insert.sh) creates and deletes
// 200 000 UDP flows in an empty namespace as fast as ctnetlink takes them
// (400 000 events; flows interleaved in chunks of 20 000, so the shared
// table never holds more than 40 000 of them), once per listener:
//   - nlwrap's conntrackSubscribe, unfiltered and with a 1 % filter (a mark
//     every 100th flow carries), in a child process (bench/events-child.ts);
//   - `conntrack -E` and `conntrack -E --mark 1` (conntrack-tools), with
//     the same forced receive buffer (-b).
// Each listener's CPU is its process's utime + stime (all threads, from
// /proc/PID/stat) from before the storm to its last event; its events are
// counted (conntrack -E counts its own and prints the count at exit);
// lost = expected - delivered. CPU per event is per delivered event; the
// table also gives it per storm event (all 400 000, matching or not).
// Goals: nlwrap loses no more events than conntrack -E; with the 1 %
// filter its CPU per event is at most conntrack -E --mark's; unfiltered at
// most twice conntrack -E's.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processCpuMs } from './proc';
import type { Goal } from './report';

export const STORM_FLOWS = 200_000;
const CHUNK = 20_000;
const BUFFER = 8 << 20;
const QUIET_MS = 1000;
const ROOT = path.join(__dirname, '..');

export interface StormRow {
  label: string;
  filtered: boolean;
  expected: number;
  delivered?: number;
  markers?: number;
  /** Wall time of the storm (ct-insert), ms. */
  stormMs?: number;
  /** nlwrap: from the first delivered event to the last, ms. */
  spanMs?: number;
  cpuMs?: number;
  note?: string;
  skip?: string;
}

function flowTuple(i: number): string {
  return `family=4 proto=17 src=10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255} dst=10.100.0.1 sport=1000 dport=2000`;
}

/** The storm's ct-insert input, in a file; and how many flows carry mark 1. */
function stormFile(dir: string): { file: string; marked: number } {
  const lines: string[] = [];
  let marked = 0;
  for (let start = 0; start < STORM_FLOWS; start += CHUNK) {
    for (let i = start; i < start + CHUNK; i++) {
      if (i % 100 === 0) marked++;
      lines.push(`ct ${flowTuple(i)} mark=${i % 100 === 0 ? 1 : 2} timeout=600`);
    }
    if (start > 0) for (let i = start - CHUNK; i < start; i++) lines.push(`del ${flowTuple(i)}`);
  }
  for (let i = STORM_FLOWS - CHUNK; i < STORM_FLOWS; i++) lines.push(`del ${flowTuple(i)}`);
  const file = path.join(dir, 'storm');
  writeFileSync(file, lines.join('\n') + '\n');
  return { file, marked };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function runStorm(ns: string, bin: string, file: string): Promise<number> {
  const fd = openSync(file, 'r');
  return new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    const c = spawn('ip', ['netns', 'exec', ns, bin], { stdio: [fd, 'ignore', 'pipe'] });
    let err = '';
    c.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    c.on('close', (code) =>
      code === 0 ? resolve(performance.now() - t0) : reject(new Error(`ct-insert: ${err.slice(0, 500)}`)),
    );
  }).finally(() => closeSync(fd));
}

/** Lines of a child's stdout, as they come. */
function lineReader(c: ChildProcess): () => Promise<string | null> {
  let buf = '';
  const queue: string[] = [];
  let waiting: ((l: string | null) => void) | null = null;
  let ended = false;
  c.stdout?.on('data', (b: Buffer) => {
    buf += b.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (waiting) {
        waiting(line);
        waiting = null;
      } else queue.push(line);
    }
  });
  c.on('close', () => {
    ended = true;
    waiting?.(null);
  });
  return () =>
    queue.length ? Promise.resolve(queue.shift() as string) : ended ? Promise.resolve(null) : new Promise((r) => (waiting = r));
}

async function nlwrapRow(ns: string, bin: string, file: string, filtered: boolean, expected: number): Promise<StormRow> {
  const row: StormRow = { label: filtered ? 'nlwrap, 1 % native filter' : 'nlwrap conntrackSubscribe', filtered, expected };
  const c = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'events-child.ts'), ns, filtered ? 'mark' : 'all', String(BUFFER)],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let err = '';
  c.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const next = lineReader(c);
  if ((await next()) !== 'ready') return { ...row, skip: `child failed: ${err.trim().split('\n')[0] ?? ''}` };
  const cpu0 = processCpuMs(c.pid as number);
  row.stormMs = await runStorm(ns, bin, file);
  c.stdin?.write('over\n');
  const line = await next();
  if (line === null) return { ...row, skip: `child failed: ${err.trim().split('\n')[0] ?? ''}` };
  row.cpuMs = processCpuMs(c.pid as number) - cpu0;
  c.stdin?.end('exit\n');
  const r = JSON.parse(line) as { events: number; markers: number; counted: number; spanMs: number };
  row.delivered = r.events;
  row.markers = r.markers;
  row.spanMs = r.spanMs;
  await new Promise((res) => c.once('close', res));
  return row;
}

async function conntrackRow(ns: string, bin: string, file: string, filtered: boolean, expected: number): Promise<StormRow> {
  const row: StormRow = { label: filtered ? 'conntrack -E --mark 1' : 'conntrack -E', filtered, expected };
  if (spawnSync('sh', ['-c', 'command -v conntrack'], { stdio: 'ignore' }).status !== 0)
    return { ...row, skip: 'conntrack not installed' };
  const args = [`--net=/var/run/netns/${ns}`, 'conntrack', '-E', '-b', String(BUFFER), ...(filtered ? ['--mark', '1'] : [])];
  // Its output goes to /dev/null, as a daemon's would; it counts the events
  // it printed itself (the line it prints at exit).
  const c = spawn('nsenter', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  c.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const closed = new Promise((res) => c.once('close', res));
  await sleep(500); // subscribed (it prints nothing until the first event)
  const cpu0 = processCpuMs(c.pid as number);
  row.stormMs = await runStorm(ns, bin, file);
  await sleep(QUIET_MS);
  row.cpuMs = c.exitCode === null ? processCpuMs(c.pid as number) - cpu0 : undefined;
  c.kill('SIGINT');
  await closed;
  const shown = /(\d+) flow events have been shown/.exec(err);
  if (!shown) return { ...row, skip: `no event count from conntrack: ${err.trim().split('\n').at(-1) ?? ''}` };
  row.delivered = Number(shown[1]);
  const enobufs = (err.match(/hit ENOBUFS/g) ?? []).length;
  if (enobufs) row.note = `ENOBUFS ${enobufs}×`;
  if (row.cpuMs === undefined) row.note = `${row.note ? `${row.note}, ` : ''}exited early`;
  return row;
}

/** The four listeners, one storm each, in a fresh namespace `ns`. */
export async function eventStorm(ns: string, log: (s: string) => void): Promise<StormRow[]> {
  const build = spawnSync('sh', [path.join(ROOT, 'scripts', 'build-ct-insert.sh')], { encoding: 'utf8' });
  const bin = path.join(ROOT, 'build', 'ct-insert');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nlwrap-bench-storm-'));
  try {
    const { file, marked } = stormFile(dir);
    const rows: StormRow[] = [];
    const all = 2 * STORM_FLOWS;
    const some = 2 * marked;
    if (build.status !== 0) {
      const skip = `ct-insert does not build: ${build.stderr.trim().split('\n')[0]}`;
      for (const [l, f] of [
        ['nlwrap conntrackSubscribe', false],
        ['conntrack -E', false],
      ] as const)
        rows.push({ label: l, filtered: f, expected: f ? some : all, skip });
      return rows;
    }
    for (const [peer, filtered] of [
      ['nlwrap', false],
      ['conntrack', false],
      ['nlwrap', true],
      ['conntrack', true],
    ] as const) {
      log(`  event storm: ${peer}${filtered ? ', 1 % filter' : ''}`);
      const expected = filtered ? some : all;
      rows.push(await (peer === 'nlwrap' ? nlwrapRow : conntrackRow)(ns, bin, file, filtered, expected));
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const n = (v: number | undefined, d = 0): string => (v === undefined ? '—' : v.toFixed(d));
const perEvent = (r: StormRow): number | undefined =>
  r.cpuMs === undefined || !r.delivered ? undefined : (r.cpuMs * 1000) / r.delivered;

/** The storm's table and its goals. */
export function renderStorm(rows: StormRow[], gs: Goal[]): string {
  const head = [
    'listener',
    'events',
    'expected',
    'lost',
    'markers',
    'storm ms',
    'events/s',
    'CPU ms',
    'CPU µs/event',
    'µs/storm event',
    'note',
  ];
  const body = rows.map((r) =>
    r.skip !== undefined
      ? [r.label, '—', String(r.expected), '—', '—', '—', '—', '—', '—', '—', r.skip]
      : [
          r.label,
          String(r.delivered),
          String(r.expected),
          String(r.expected - (r.delivered ?? 0)),
          r.markers === undefined ? '—' : String(r.markers),
          n(r.stormMs),
          r.delivered && r.stormMs ? n((r.delivered * 1000) / r.stormMs) : '—',
          n(r.cpuMs),
          n(perEvent(r), 2),
          r.cpuMs === undefined ? '—' : ((r.cpuMs * 1000) / (r.filtered ? 2 * STORM_FLOWS : r.expected)).toFixed(2),
          r.note ?? '',
        ],
  );
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]): string =>
    c
      .map((v, i) => (i === 0 || i === c.length - 1 ? v.padEnd(w[i]) : v.padStart(w[i])))
      .join('  ')
      .trimEnd();
  return [
    `conntrack event storm: ${STORM_FLOWS} flows created and deleted (${2 * STORM_FLOWS} events), receive buffer ${BUFFER >> 20} MiB forced, one run each`,
    line(head),
    w.map((x) => '-'.repeat(x)).join('  '),
    ...body.map(line),
    '',
    'goals (conntrack events):',
    ...gs.map(
      (g) =>
        `  ${(g.ok === null ? 'NOT MEASURED' : g.ok ? 'PASS' : 'MISS').padEnd(12)}  ${g.what.padEnd(Math.max(...gs.map((x) => x.what.length)))}  ${g.detail}`,
    ),
  ].join('\n');
}

export function stormGoals(rows: StormRow[]): Goal[] {
  const find = (label: string): StormRow | undefined => rows.find((r) => r.label === label && r.skip === undefined);
  const nl = find('nlwrap conntrackSubscribe');
  const nlf = find('nlwrap, 1 % native filter');
  const ct = find('conntrack -E');
  const ctf = find('conntrack -E --mark 1');
  const lost = (r: StormRow): number => r.expected - (r.delivered ?? 0);
  const out: Goal[] = [];
  const loss = (a: StormRow | undefined, b: StormRow | undefined, what: string): void => {
    out.push({
      what: `event storm${what}: nlwrap loses no more events than conntrack -E`,
      ok: a && b ? lost(a) <= lost(b) : null,
      detail:
        a && b ? `${lost(a)} vs ${lost(b)} lost${lost(a) > 0 && !a.markers ? ' (and no loss marker!)' : ''}` : 'not measured',
    });
  };
  loss(nl, ct, '');
  loss(nlf, ctf, ' (1 % filter)');
  const cpu = (a: StormRow | undefined, b: StormRow | undefined, limit: number, what: string): void => {
    const pa = a && perEvent(a);
    const pb = b && perEvent(b);
    out.push({
      what,
      ok: pa === undefined || pb === undefined ? null : pa <= limit * pb,
      detail:
        pa === undefined || pb === undefined
          ? 'not measured'
          : `${pa.toFixed(2)} vs ${pb.toFixed(2)} µs per event (${(pa / pb).toFixed(2)}×)`,
    });
  };
  cpu(nlf, ctf, 1, 'event storm, 1 % filter: CPU per event ≤ conntrack -E --mark');
  cpu(nl, ct, 2, 'event storm, unfiltered: CPU per event ≤ 2× conntrack -E');
  return out;
}
