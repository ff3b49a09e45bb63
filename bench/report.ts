// The bench's output: one table per kind (nlwrap, C floor, Go, iproute2 /
// conntrack-tools, ratios), the first call of each kind in a fresh process
// (nlwrap and Go), the extra figures (addrList of one link, the 1% conntrack
// delete, memory and timer lag of the big conntrack list and of the same
// table through a stream), and the goals with PASS / MISS / NOT MEASURED.
import type { FirstCalls } from './first-call';
import type { Kind, PeerResult } from './peers';

export interface KindRow {
  kind: Kind;
  nlwrap: PeerResult;
  floor: PeerResult;
  go: PeerResult;
  tool: PeerResult;
  toolLabel: string;
}

export interface MemLag {
  flows?: number;
  rssGrowthBytes?: number;
  objectsBytes?: number;
  lagColdMs?: number;
  lagWarmMs?: number;
  /** The same lag for a pure-JS copy of the returned flows (no netlink). */
  jsCopyLagMs?: number;
  /** The lag of an idle event loop over a second: the machine's own floor. */
  idleLagMs?: number;
  skip?: string;
}

/** The big conntrack table through a stream folded into counters (bench/ct-stream.ts). */
export interface StreamRun {
  flows?: number;
  coldMs?: number;
  warmMs?: number;
  lagColdMs?: number;
  lagWarmMs?: number;
  rssGrowthColdBytes?: number;
  rssGrowthWarmBytes?: number;
  /** The C floor's conntrack dump timed right before and after the stream (median). */
  floorMs?: number;
  /** V8's own floor: as many flows copied in plain JS, 256 per turn, folded and dropped. */
  jsFoldLagMs?: number;
  /** The machine's floor: the lag of an idle event loop over a second. */
  idleLagMs?: number;
  skip?: string;
}

export interface Extras {
  addrOne: { kernel: PeerResult; client: PeerResult; go: PeerResult; linkName: string };
  del: { nlwrap: PeerResult; tool: PeerResult; go: PeerResult; expected: number };
  memlag: MemLag;
  stream: StreamRun;
  first: FirstCalls[];
}

export interface Goal {
  what: string;
  ok: boolean | null;
  detail: string;
}

/** The list calls, warm: ≤ this many times the C floor, per kind. */
export const FLOOR_LIMIT: Record<Kind, number> = { links: 1.5, addrs: 3, routes: 2, xfrm: 3, conntrack: 1.5 };
/** The big conntrack list's timer lag: ≤ this many times V8's own floor for as many objects. */
export const LAG_FLOOR_LIMIT = 1.5;
/** The skip reason of the extra figures when their kind was left out with --kinds. */
export const NOT_SELECTED = 'kind not selected';
export const RSS_LIMIT = 2;
/** The big conntrack table through a stream folded into counters. */
export const STREAM_RSS_LIMIT = 16 * 2 ** 20;
export const STREAM_LAG_LIMIT_MS = 10;
export const STREAM_FLOOR_LIMIT = 1.3;

const fmtMs = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const ms = (r: PeerResult): string => (r.ms === undefined ? '—' : fmtMs(r.ms));
const ratio = (a: PeerResult, b: PeerResult): number | undefined =>
  a.ms !== undefined && b.ms !== undefined && b.ms > 0 ? a.ms / b.ms : undefined;
const x = (v: number | undefined): string => (v === undefined ? '—' : `${v.toFixed(2)}×`);
const mib = (b: number | undefined): string => (b === undefined ? '—' : `${(b / 2 ** 20).toFixed(1)} MiB`);

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

export function goals(rows: KindRow[], ex: Extras): Goal[] {
  const out: Goal[] = [];
  for (const r of rows) {
    const vsGo = ratio(r.nlwrap, r.go);
    out.push({
      what: `${r.kind}: faster than Go`,
      ok: vsGo === undefined ? null : vsGo < 1,
      detail: vsGo === undefined ? why(r.nlwrap, r.go) : `${ms(r.nlwrap)} vs ${ms(r.go)} ms (${x(vsGo)})`,
    });
    const vsFloor = ratio(r.nlwrap, r.floor);
    const lim = FLOOR_LIMIT[r.kind];
    out.push({
      what: `${r.kind}: ≤ ${lim}× C floor`,
      ok: vsFloor === undefined ? null : vsFloor <= lim,
      detail:
        vsFloor === undefined
          ? why(r.nlwrap, r.floor)
          : `${x(vsFloor)}${vsFloor > lim ? `, ${((vsFloor / lim - 1) * 100).toFixed(0)}% over the limit` : ''}`,
    });
  }
  for (const f of ex.first) {
    const vsGo = ratio(f.nlwrap, f.go);
    out.push({
      what: `${f.kind}: first call ≤ Go's first call`,
      ok: vsGo === undefined ? null : vsGo <= 1,
      detail: vsGo === undefined ? why(f.nlwrap, f.go) : `${ms(f.nlwrap)} vs ${ms(f.go)} ms (${x(vsGo)})`,
    });
  }
  const floorCt = rows.find((r) => r.kind === 'conntrack')?.floor;
  if (floorCt) {
    const st = ex.stream;
    const rss = st.rssGrowthColdBytes === undefined ? undefined : Math.max(st.rssGrowthColdBytes, st.rssGrowthWarmBytes ?? 0);
    out.push({
      what: `conntrack stream: peak RSS growth ≤ ${mib(STREAM_RSS_LIMIT)}`,
      ok: rss === undefined ? null : rss <= STREAM_RSS_LIMIT,
      detail:
        rss === undefined
          ? (st.skip ?? 'not measured')
          : `max ${mib(rss)} (cold ${mib(st.rssGrowthColdBytes)}, warm ${mib(st.rssGrowthWarmBytes)})`,
    });
    const lag = st.lagColdMs === undefined ? undefined : Math.max(st.lagColdMs, st.lagWarmMs ?? 0);
    out.push({
      what: `conntrack stream: timer lag ≤ ${STREAM_LAG_LIMIT_MS} ms`,
      ok: lag === undefined ? null : lag <= STREAM_LAG_LIMIT_MS,
      detail:
        lag === undefined
          ? (st.skip ?? 'not measured')
          : `max ${lag.toFixed(1)} ms (cold ${st.lagColdMs!.toFixed(1)}, warm ${st.lagWarmMs?.toFixed(1) ?? '—'}; ` +
            `the same flows copied and folded in plain JS: ${st.jsFoldLagMs?.toFixed(1) ?? '—'}; ` +
            `an idle event loop: ${st.idleLagMs?.toFixed(1) ?? '—'})`,
    });
    const floorMs = st.floorMs ?? floorCt.ms;
    const vsFloor = st.warmMs === undefined || floorMs === undefined ? undefined : st.warmMs / floorMs;
    out.push({
      what: `conntrack stream: time ≤ ${STREAM_FLOOR_LIMIT}× C floor`,
      ok: vsFloor === undefined ? null : vsFloor <= STREAM_FLOOR_LIMIT,
      detail:
        vsFloor === undefined
          ? (st.skip ?? why({ ms: st.warmMs }, floorCt))
          : `${fmtMs(st.warmMs!)} vs ${fmtMs(floorMs!)} ms (${x(vsFloor)}; cold ${fmtMs(st.coldMs!)} ms)`,
    });
    const m = ex.memlag;
    const listLag = m.lagColdMs === undefined ? undefined : Math.max(m.lagColdMs, m.lagWarmMs ?? 0);
    const vsV8 = listLag === undefined || !m.jsCopyLagMs ? undefined : listLag / m.jsCopyLagMs;
    out.push({
      what: `conntrack list: timer lag ≤ ${LAG_FLOOR_LIMIT}× V8's floor`,
      ok: vsV8 === undefined ? null : vsV8 <= LAG_FLOOR_LIMIT,
      detail:
        vsV8 === undefined
          ? (m.skip ?? 'not measured')
          : `max ${listLag!.toFixed(1)} ms (cold ${m.lagColdMs!.toFixed(1)}, warm ${m.lagWarmMs!.toFixed(1)}) vs ` +
            `${m.jsCopyLagMs!.toFixed(1)} ms for a pure-JS copy of the flows (${x(vsV8)})`,
    });
    const growth = m.rssGrowthBytes;
    const obj = m.objectsBytes;
    out.push({
      what: `conntrack list: peak RSS growth < ${RSS_LIMIT}× objects`,
      ok: growth === undefined || obj === undefined ? null : growth < RSS_LIMIT * obj,
      detail:
        growth === undefined || obj === undefined
          ? (m.skip ?? 'not measured')
          : `${mib(growth)} for ${mib(obj)} of objects (${x(growth / obj)})`,
    });
  }
  return out;
}

function why(a: PeerResult, b: PeerResult): string {
  return a.skip !== undefined ? `nlwrap: ${a.skip}` : `peer: ${b.skip ?? 'not measured'}`;
}

export function render(rows: KindRow[], ex: Extras, gs: Goal[]): string {
  const out: string[] = [];
  out.push(
    table(
      [
        'kind',
        'objects',
        'nlwrap ms',
        'nlwrap CPU ms',
        'C floor ms',
        'Go ms',
        'tool ms',
        'nlwrap/floor',
        'nlwrap/Go',
        'tool/nlwrap',
        'goal',
        'tool',
      ],
      rows.map((r) => [
        r.kind,
        String(r.nlwrap.count ?? r.floor.count ?? r.go.count ?? '—'),
        ms(r.nlwrap),
        r.nlwrap.extra?.cpuMs === undefined ? '—' : fmtMs(r.nlwrap.extra.cpuMs),
        ms(r.floor),
        ms(r.go),
        ms(r.tool),
        x(ratio(r.nlwrap, r.floor)),
        x(ratio(r.nlwrap, r.go)),
        x(ratio(r.tool, r.nlwrap)),
        `<Go, ≤${FLOOR_LIMIT[r.kind]}× floor`,
        r.toolLabel,
      ]),
    ),
  );
  const counts = rows.filter((r) => {
    const c = [r.nlwrap.count, r.floor.count, r.go.count].filter((v) => v !== undefined);
    return new Set(c).size > 1;
  });
  for (const r of counts)
    out.push(
      `note: ${r.kind}: peers saw different counts (nlwrap ${r.nlwrap.count ?? '—'}, floor ${r.floor.count ?? '—'}, Go ${r.go.count ?? '—'})`,
    );
  const skips: string[] = [];
  for (const r of rows)
    for (const [peer, res] of [
      ['nlwrap', r.nlwrap],
      ['C floor', r.floor],
      ['Go', r.go],
      [r.toolLabel, r.tool],
    ] as const)
      if (res.skip !== undefined) skips.push(`  ${r.kind} / ${peer}: skipped: ${res.skip}`);
  if (skips.length) out.push('', 'skipped:', ...skips);

  if (ex.first.length) out.push(...firstSection(ex.first));
  const a = ex.addrOne;
  if (a.kernel.skip !== NOT_SELECTED) out.push(...addrSection(ex));
  if (ex.del.nlwrap.skip !== NOT_SELECTED) out.push(...conntrackSection(ex));
  out.push('', 'goals:');
  const tag = (ok: boolean | null): string => (ok === null ? 'NOT MEASURED' : ok ? 'PASS' : 'MISS');
  const w = Math.max(...gs.map((g) => g.what.length));
  for (const g of gs) out.push(`  ${tag(g.ok).padEnd(12)}  ${g.what.padEnd(w)}  ${g.detail}`);
  return out.join('\n');
}

function firstSection(first: FirstCalls[]): string[] {
  const extra = (r: PeerResult, key: string): string => (r.extra?.[key] === undefined ? '—' : fmtMs(r.extra[key]));
  return [
    '',
    'first call of each kind in a fresh process (median over the processes; handle opened before, untimed):',
    table(
      ['kind', 'nlwrap 1st ms', '2nd ms', '3rd ms', 'Go 1st ms', 'nlwrap/Go', 'note'],
      first.map((f) => [
        f.kind,
        ms(f.nlwrap),
        extra(f.nlwrap, 'secondMs'),
        extra(f.nlwrap, 'thirdMs'),
        ms(f.go),
        x(ratio(f.nlwrap, f.go)),
        [f.nlwrap.skip && `nlwrap: ${f.nlwrap.skip}`, f.go.skip && `Go: ${f.go.skip}`].filter(Boolean).join('; '),
      ]),
    ),
  ];
}

function addrSection(ex: Extras): string[] {
  const out: string[] = [];
  const a = ex.addrOne;
  const bytes = (r: PeerResult): string => (r.extra?.bytes === undefined ? '—' : `${Math.round(r.extra.bytes)} B`);
  out.push(
    '',
    `addrList(${a.linkName}), one link of many:`,
    table(
      ['how', 'objects', 'ms', 'bytes received', 'note'],
      [
        ['nlwrap, kernel-side filter', String(a.kernel.count ?? '—'), ms(a.kernel), bytes(a.kernel), a.kernel.skip ?? ''],
        ['nlwrap, all then filter in JS', String(a.client.count ?? '—'), ms(a.client), bytes(a.client), a.client.skip ?? ''],
        ['Go AddrList(link, ALL)', String(a.go.count ?? '—'), ms(a.go), '—', a.go.skip ?? ''],
      ],
    ),
  );

  return out;
}

function conntrackSection(ex: Extras): string[] {
  const out: string[] = [];
  const d = ex.del;
  const cnt = (r: PeerResult): string => (r.count === undefined ? '—' : String(r.count));
  out.push(
    '',
    `conntrack delete of 1% of the flows by mark (${d.expected} flows per run, median of the runs):`,
    table(
      ['how', 'deleted', 'ms', 'vs nlwrap', 'note'],
      [
        ['nlwrap conntrackDeleteFilters', cnt(d.nlwrap), ms(d.nlwrap), '1.00×', d.nlwrap.skip ?? ''],
        ['conntrack -D --mark', cnt(d.tool), ms(d.tool), x(ratio(d.tool, d.nlwrap)), d.tool.skip ?? ''],
        ['Go ConntrackDeleteFilter', cnt(d.go), ms(d.go), x(ratio(d.go, d.nlwrap)), d.go.skip ?? ''],
      ],
    ),
  );
  for (const [name, r] of [
    ['nlwrap', d.nlwrap],
    ['conntrack -D', d.tool],
    ['Go', d.go],
  ] as const)
    if (r.count !== undefined && r.count !== d.expected) out.push(`note: ${name} deleted ${r.count}, expected ${d.expected}`);

  const m = ex.memlag;
  out.push(
    '',
    m.skip !== undefined
      ? `conntrack list memory / timer lag: skipped: ${m.skip}`
      : `conntrack list of ${m.flows} flows (fresh process): peak RSS growth ${mib(m.rssGrowthBytes)}, ` +
          `objects ${mib(m.objectsBytes)}, max timer lag ${m.lagColdMs?.toFixed(1)} ms cold / ${m.lagWarmMs?.toFixed(1)} ms warm`,
    ...(m.jsCopyLagMs === undefined
      ? []
      : [
          `  V8's own floor: a pure-JS copy of those flows, 256 per turn, no netlink: max timer lag ${m.jsCopyLagMs.toFixed(1)} ms; ` +
            `an idle event loop: ${m.idleLagMs?.toFixed(1) ?? '—'} ms`,
        ]),
  );
  const st = ex.stream;
  out.push(
    st.skip !== undefined
      ? `conntrack stream: skipped: ${st.skip}`
      : `conntrack stream of ${st.flows} flows folded into counters (fresh process): ${st.coldMs?.toFixed(0)} ms cold, ` +
          `${st.warmMs?.toFixed(0)} ms warm; peak RSS growth ${mib(st.rssGrowthColdBytes)} cold / ${mib(st.rssGrowthWarmBytes)} warm; ` +
          `max timer lag ${st.lagColdMs?.toFixed(1)} ms cold / ${st.lagWarmMs?.toFixed(1)} ms warm; ` +
          `the C floor right before and after it: ${st.floorMs === undefined ? '—' : fmtMs(st.floorMs)} ms`,
  );
  return out;
}
