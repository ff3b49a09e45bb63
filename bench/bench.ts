// npm run bench [-- --scale small|medium|large] [--check] [--kinds k,...]
//               [--reps N] [--no-install] [--no-events | --events-only] [--json FILE] [--cpu-prof DIR]
//
// The benchmark, all peers side by side in one run on one namespace: per
// kind (links, addrs, routes, xfrm policies, conntrack flows) nlwrap's
// in-process median per call next to a bare C dumper (the floor), Go
// vishvananda/netlink, and iproute2 / conntrack-tools as whole processes; the
// first call of each kind in a fresh process, nlwrap against Go; plus
// addrList of one link with and without kernel-side filtering, a 1%
// conntrack delete by filter against `conntrack -D`, the memory and
// event-loop lag of the big conntrack list, and the same table through a
// stream folded into counters; with conntrack, the 200 000-flow conntrack
// event storm against `conntrack -E` (bench/events.ts); with addrs or
// routes, address and route subscriptions against vishvananda's and `ip
// monitor` under a 200 000-event storm and idle (bench/rtnl-events.ts).
// `--check` exits 1 when a goal is missed or could not be measured (a
// benchmark guard run by hand or in its own CI job; never part of the unit
// suite).
//
// Runs as root (it builds a network namespace). The namespace is always
// deleted, also on failure and on SIGINT.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventStorm, renderStorm, stormGoals, type StormRow } from './events';
import { firstCalls } from './first-call';
import {
  buildFixture,
  deleteNamespace,
  emptyNamespace,
  installCleanup,
  parseScale,
  removeStaleNamespaces,
  SCALES,
  type Fixture,
  type Scale,
  type ScaleName,
} from './fixture';
import { addrOneLink, deleteByMark, kindCall, openHandle, timeCalls } from './nlwrap';
import {
  BENCH_DIR,
  buildCtFill,
  buildFloor,
  buildGoPeer,
  combineRounds,
  conntrackDelete,
  ensurePackages,
  KINDS,
  median,
  parseKinds,
  runFloor,
  runGo,
  timeProcess,
  toolCommand,
  type Built,
  type GoExtraKind,
  type Kind,
  type PeerResult,
} from './peers';
import { run } from './proc';
import { goals, NOT_SELECTED, render, type Extras, type Goal, type KindRow, type MemLag, type StreamRun } from './report';
import { renderRtnlEvents, rtnlEventsGoals, runRtnlEvents, type RtnlEventsResult } from './rtnl-events';

interface Options {
  scale: ScaleName;
  check: boolean;
  kinds: Kind[];
  reps?: number;
  install: boolean;
  /** The event sections: after the list calls (default), alone, or not at all. */
  events: 'also' | 'only' | 'no';
  json?: string;
  cpuProf?: string;
}

const USAGE = `usage: npm run bench -- [--scale small|medium|large] [--check] [--kinds ${KINDS.join(',')}]
                      [--reps N] [--no-install] [--no-events | --events-only] [--json FILE] [--cpu-prof DIR]
  --scale     fixture size (default small; the goals are set at large)
  --check     exit 1 when a goal is missed or not measured
  --kinds     only these kinds (and only their goals)
  --reps      timed calls per kind for the in-process peers (default by scale)
  --no-install  never run apt-get for missing peers
  --no-events   skip the event sections: the conntrack event storm (run with conntrack)
                and the rtnetlink events (run with addrs or routes)
  --events-only only the event sections of the selected kinds, no list calls
  --json      also write every figure to FILE
  --cpu-prof  write a V8 CPU profile of each first-call process to DIR (open in Chrome DevTools)`;

function parseArgs(argv: string[]): Options {
  const o: Options = { scale: 'small', check: false, kinds: [...KINDS], install: true, events: 'also' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--scale') o.scale = parseScale(val());
    else if (a === '--check') o.check = true;
    else if (a === '--kinds') o.kinds = parseKinds(val());
    else if (a === '--reps') {
      o.reps = Number(val());
      if (!Number.isInteger(o.reps) || o.reps < 1 || o.reps > 1000) throw new Error('--reps must be an integer from 1 to 1000');
    } else if (a === '--no-install') o.install = false;
    else if (a === '--no-events') o.events = 'no';
    else if (a === '--events-only') o.events = 'only';
    else if (a === '--json') o.json = val();
    else if (a === '--cpu-prof') o.cpuProf = path.resolve(val());
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** Rounds per kind; each peer's figure is the median of its round medians. */
const ROUNDS = 3;

const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `Linux ${os.release()}, ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, load ${load}`;
}

/** Conntrack entries in every namespace (the slab is shared and not merged). */
function conntrackEntriesEverywhere(): number | undefined {
  try {
    const m = /^nf_conntrack\s+(\d+)/m.exec(readFileSync('/proc/slabinfo', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a bench child (`file` in bench/, fresh heap) and parses its JSON line. */
async function runChild<T extends { skip?: string }>(file: string, ns: string): Promise<T> {
  const r = await run(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(BENCH_DIR, file), ns], {
    cwd: path.join(BENCH_DIR, '..'),
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) return { skip: `child failed: ${(r.stderr || `exit ${r.status}`).trim().split('\n')[0]}` } as T;
  return JSON.parse(line) as T;
}

/** Fresh processes per kind for the first-call figures. */
const FIRST_CALL_PROCESSES = 3;

async function main(): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (err) {
    log(`bench: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    log('bench: must run as root (it builds a network namespace)');
    return 2;
  }
  const scale = { ...SCALES[o.scale], ...(o.reps ? { reps: o.reps } : {}) };
  installCleanup();
  const stale = removeStaleNamespaces();
  if (stale.length) log(`removed namespaces left by killed runs: ${stale.join(', ')}`);

  const t0 = Date.now();
  ensurePackages(o.install, log);
  const ctFill = buildCtFill();
  const floor = buildFloor();
  const goPeer = buildGoPeer();
  for (const [name, b] of [
    ['ct-fill', ctFill],
    ['C floor', floor],
    ['Go peer', goPeer],
  ] as const)
    if ('skip' in b) log(`${name}: skipped: ${b.skip}`);
  let kinds: KindsRun | undefined;
  if (o.events !== 'only') {
    if ('skip' in ctFill) throw new Error(`bench/ct-fill.c does not build (${ctFill.skip}); the fixture needs it`);
    kinds = await runKinds(o, scale, ctFill.path, floor, goPeer);
  }

  // The event storms, each in an empty namespace of its own (never beside
  // the fixture's big tables, nor beside each other).
  let storm: StormRow[] | undefined;
  if (o.kinds.includes('conntrack') && o.events !== 'no') {
    log('conntrack event storm (200 000 flows per listener)');
    storm = await eventStorm(await emptyNamespace(), log);
    deleteNamespace();
  }
  let rtnl: RtnlEventsResult | undefined;
  if ((o.kinds.includes('addrs') || o.kinds.includes('routes')) && o.events !== 'no') {
    log('rtnetlink events: nlwrap, Go and ip monitor side by side');
    rtnl = await runRtnlEvents(goPeer, log);
    deleteNamespace();
  }

  const gs = kinds ? goals(kinds.rows, kinds.ex) : [];
  const sgs = storm ? stormGoals(storm) : [];
  const rgs = rtnl ? rtnlEventsGoals(rtnl) : [];
  if (kinds) {
    const { rows, ex, fx, perRound } = kinds;
    console.log(
      `nlwrap bench, scale ${o.scale} (per kind ${ROUNDS} rounds of ${perRound} timed calls for nlwrap, the floor and Go, ` +
        `the median of the round medians, nlwrap warmed up in each; ${scale.toolRuns} runs per tool)`,
    );
    console.log(machine());
    console.log(
      `namespace built in ${Object.values(fx.buildSeconds)
        .reduce((a, b) => a + b, 0)
        .toFixed(1)} s ` +
        `(${Object.entries(fx.buildSeconds)
          .map(([k, v]) => `${k} ${v.toFixed(2)}`)
          .join(', ')})`,
    );
    console.log('');
    console.log(render(rows, ex, gs));
  } else console.log(`nlwrap bench, event sections only\n${machine()}`);
  if (storm) console.log(`\n${renderStorm(storm, sgs)}`);
  if (rtnl) console.log(`\n${renderRtnlEvents(rtnl, rgs)}`);
  if (kinds && o.scale !== 'large')
    console.log(`\n(the goals are set at --scale large; at ${o.scale} scale fixed per-call costs weigh more)`);
  console.log(`\ntotal ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const all: Goal[] = [...gs, ...sgs, ...rgs];
  if (o.json)
    writeFileSync(
      o.json,
      JSON.stringify(
        {
          scale: o.scale,
          machine: machine(),
          fixture: kinds?.fx,
          rows: kinds?.rows,
          extras: kinds?.ex,
          storm,
          rtnlEvents: rtnl,
          goals: all,
        },
        null,
        2,
      ),
    );
  if (o.check) {
    const bad = all.filter((g) => g.ok !== true);
    if (bad.length) {
      console.log(`\n--check: ${bad.length} goal(s) missed or not measured`);
      return 1;
    }
    console.log('\n--check: every goal met');
  }
  return 0;
}

interface KindsRun {
  rows: KindRow[];
  ex: Extras;
  fx: Fixture;
  perRound: number;
}

/** The list calls, kind by kind, on the fixture namespace (deleted at the end). */
async function runKinds(o: Options, scale: Scale, ctFill: string, floor: Built, goPeer: Built): Promise<KindsRun> {
  const before = conntrackEntriesEverywhere();
  log(
    `building the namespace (${o.scale}: ${scale.links} links, ${scale.addrs} addresses, ${scale.routes} routes, ` +
      `${scale.policies} xfrm policies, ${scale.flows} conntrack flows)`,
  );
  const fx = await buildFixture(scale, ctFill, log);
  const others = before === undefined ? undefined : before;
  if (others !== undefined && others > 10_000)
    log(
      `warning: ${others} conntrack entries already lived in other namespaces before the bench: the conntrack ` +
        'table is shared, so conntrack timings are inflated (run the bench alone)',
    );

  // One kind at a time, its peers taking turns in ROUNDS rounds, so a slow
  // spell of this shared machine weighs on the peers of a kind alike.
  log('per kind, in rounds: C floor, Go peer, nlwrap in-process; then iproute2 / conntrack-tools');
  const h = openHandle(fx.name);
  const rows: KindRow[] = [];
  const perRound = Math.max(1, Math.ceil(scale.reps / ROUNDS));
  for (const k of o.kinds) {
    const call = kindCall(h, k);
    const floorRounds: PeerResult[] = [];
    const goRounds: PeerResult[] = [];
    const nlwrapRounds: PeerResult[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      floorRounds.push((await runFloor(floor, fx.path, perRound, [k])).get(k)!);
      goRounds.push((await runGo(goPeer, fx.name, perRound, [k])).get(k)!);
      nlwrapRounds.push(typeof call === 'function' ? await timeCalls(h, call, perRound) : call);
    }
    const c = toolCommand(k, fx.name, fx.path);
    rows.push({
      kind: k,
      nlwrap: combineRounds(nlwrapRounds),
      floor: combineRounds(floorRounds),
      go: combineRounds(goRounds),
      tool: await timeProcess(c.cmd, c.args, scale.toolRuns),
      toolLabel: c.label,
    });
  }

  const notRun: PeerResult = { skip: NOT_SELECTED };
  const ex: Extras = {
    addrOne: { kernel: notRun, client: notRun, go: notRun, linkName: fx.oneLinkName },
    del: { nlwrap: notRun, tool: notRun, go: notRun, expected: Math.floor(scale.flows / 100) },
    memlag: { skip: NOT_SELECTED },
    stream: { skip: NOT_SELECTED },
    first: [],
  };
  log(`first calls: ${FIRST_CALL_PROCESSES} fresh processes per kind, nlwrap and Go`);
  ex.first = await firstCalls(goPeer, fx.name, o.kinds, FIRST_CALL_PROCESSES, o.cpuProf);
  if (o.kinds.includes('addrs')) {
    const a = await addrOneLink(h, fx.oneLinkIndex, scale.reps);
    const goOne = await runGoOne(goPeer, fx.name, scale.reps, ['-link', String(fx.oneLinkIndex)], 'addrs1');
    ex.addrOne = { ...a, go: goOne, linkName: fx.oneLinkName };
  }
  if (o.kinds.includes('conntrack')) {
    log('conntrack list memory / timer lag (child process)');
    ex.memlag = await runChild<MemLag>('ct-memlag.ts', fx.name);
    // The floor timed again right before and after, so the stream is compared
    // with the kernel as it is at that moment on this shared machine.
    log('conntrack stream folded into counters (child process), between two runs of the floor');
    const floorBefore = (await runFloor(floor, fx.path, 3, ['conntrack'])).get('conntrack');
    ex.stream = await runChild<StreamRun>('ct-stream.ts', fx.name);
    const floorAfter = (await runFloor(floor, fx.path, 3, ['conntrack'])).get('conntrack');
    const near = [floorBefore?.ms, floorAfter?.ms].filter((v): v is number => v !== undefined);
    if (near.length) ex.stream.floorMs = median(near);
    // Deletes last: each run removes another 1% (marks 1-3 nlwrap, 4-6 conntrack -D, 7-9 Go).
    log('conntrack deletes');
    ex.del.nlwrap = await deleteByMark(h, [1, 2, 3]);
    const tool: number[] = [];
    let toolCount: number | undefined;
    let toolSkip: string | undefined;
    for (const m of [4, 5, 6]) {
      const r = await conntrackDelete(fx.path, m);
      if ('skip' in r) {
        toolSkip = r.skip;
        break;
      }
      tool.push(r.ms);
      toolCount ??= r.deleted;
    }
    ex.del.tool = toolSkip !== undefined ? { skip: toolSkip } : { ms: median(tool), count: toolCount };
    ex.del.go = await runGoOne(goPeer, fx.name, 3, ['-mark', '7'], 'ctdelete');
  }
  h.close();
  deleteNamespace();
  return { rows, ex, fx, perRound };
}

/** One Go kind that takes extra flags (addrs1, ctdelete). */
async function runGoOne(
  bin: ReturnType<typeof buildGoPeer>,
  ns: string,
  reps: number,
  flags: string[],
  kind: GoExtraKind,
): Promise<PeerResult> {
  return (await runGo(bin, ns, reps, [kind], flags)).get(kind) ?? { skip: 'no result' };
}

main().then(
  (code) => {
    deleteNamespace();
    process.exit(code);
  },
  (err: Error) => {
    log(`bench: ${err.stack ?? err.message}`);
    deleteNamespace();
    process.exit(1);
  },
);
