// npm run bench:compare -- BASELINE_DIR [--scale small|medium|large] [--rounds N] [--kinds k,...] [--check]
//
// This checkout's build against another (BASELINE_DIR: a checkout of an
// older commit with `npm ci && npm run build` done), on one bench namespace:
// per kind, N rounds; in each, both builds run in fresh processes
// (bench/build-child.ts), the order alternating from round to round, so a
// slow spell of a shared machine weighs on both alike. Prints the median of
// the round medians, the ratio and a verdict per kind; --check exits 1 when
// a kind is slower by more than the noise margin.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import {
  buildFixture,
  deleteNamespace,
  installCleanup,
  parseScale,
  removeStaleNamespaces,
  SCALES,
  type ScaleName,
} from './fixture';
import { BENCH_DIR, buildCtFill, KINDS, median, parseKinds, type Kind } from './peers';
import { run } from './proc';

/** A ratio within this margin of 1 is "same": the spread of one build's medians between rounds on this machine. */
const NOISE = 0.05;

interface Options {
  baseline: string;
  scale: ScaleName;
  rounds: number;
  kinds: Kind[];
  check: boolean;
}

const USAGE = `usage: npm run bench:compare -- BASELINE_DIR [--scale small|medium|large] [--rounds N] [--kinds ${KINDS.join(',')}] [--check]`;

function parseArgs(argv: string[]): Options {
  const o: Partial<Options> = { scale: 'medium', rounds: 5, kinds: [...KINDS], check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--scale') o.scale = parseScale(val());
    else if (a === '--rounds') {
      o.rounds = Number(val());
      if (!Number.isInteger(o.rounds) || o.rounds < 1 || o.rounds > 50)
        throw new Error('--rounds must be an integer from 1 to 50');
    } else if (a === '--kinds') o.kinds = parseKinds(val());
    else if (a === '--check') o.check = true;
    else if (a.startsWith('--') || o.baseline !== undefined) throw new Error(`unknown argument ${a}`);
    else o.baseline = path.resolve(a);
  }
  if (o.baseline === undefined) throw new Error('BASELINE_DIR is required');
  return o as Options;
}

interface Run {
  firstMs: number;
  count: number;
  ms: number;
  cpuMs: number;
}

async function timeBuild(dir: string, ns: string, kind: Kind, reps: number): Promise<Run> {
  const r = await run(process.execPath, [
    '--expose-gc',
    '--import',
    'tsx',
    path.join(BENCH_DIR, 'build-child.ts'),
    dir,
    ns,
    kind,
    String(reps),
  ]);
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`${dir}: ${kind}: ${(r.stderr || `exit ${r.status}`).trim().split('\n')[0]}`);
  return JSON.parse(line) as Run;
}

function commitOf(dir: string): string {
  const r = spawnSync('git', ['-C', dir, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '(not a git checkout)';
}

const fmt = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

function verdict(ratio: number): string {
  if (ratio > 1 + NOISE) return 'SLOWER';
  if (ratio < 1 - NOISE) return 'faster';
  return 'same';
}

function table(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`bench:compare: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    console.error('bench:compare: must run as root (it builds a network namespace)');
    return 2;
  }
  const self = path.join(BENCH_DIR, '..');
  const scale = SCALES[o.scale];
  installCleanup();
  removeStaleNamespaces();
  const ctFill = buildCtFill();
  if ('skip' in ctFill) throw new Error(`bench/ct-fill.c does not build (${ctFill.skip})`);
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  const fx = await buildFixture(scale, ctFill.path, log);

  const rows: string[][] = [];
  let slower = 0;
  for (const k of o.kinds) {
    const mine: Run[] = [];
    const base: Run[] = [];
    for (let r = 0; r < o.rounds; r++) {
      log(`${k}: round ${r + 1} of ${o.rounds}`);
      if (r % 2 === 0) {
        mine.push(await timeBuild(self, fx.name, k, scale.reps));
        base.push(await timeBuild(o.baseline, fx.name, k, scale.reps));
      } else {
        base.push(await timeBuild(o.baseline, fx.name, k, scale.reps));
        mine.push(await timeBuild(self, fx.name, k, scale.reps));
      }
    }
    const m = (runs: Run[], f: (x: Run) => number): number => median(runs.map(f));
    const ratio = m(mine, (x) => x.ms) / m(base, (x) => x.ms);
    const firstRatio = m(mine, (x) => x.firstMs) / m(base, (x) => x.firstMs);
    if (verdict(ratio) === 'SLOWER') slower++;
    rows.push([
      k,
      String(mine[0]!.count),
      fmt(m(mine, (x) => x.ms)),
      fmt(m(base, (x) => x.ms)),
      `${ratio.toFixed(2)}×`,
      fmt(m(mine, (x) => x.cpuMs)),
      fmt(m(base, (x) => x.cpuMs)),
      fmt(m(mine, (x) => x.firstMs)),
      fmt(m(base, (x) => x.firstMs)),
      `${firstRatio.toFixed(2)}×`,
      verdict(ratio),
    ]);
  }
  deleteNamespace();

  console.log(
    `nlwrap compare, scale ${o.scale}: ${o.rounds} rounds per kind, each build in a fresh process per round (order alternating), ${scale.reps} warm calls after a warm-up; medians of the round medians`,
  );
  console.log(`this:     ${commitOf(self)}`);
  console.log(`baseline: ${commitOf(o.baseline)} (${o.baseline})`);
  console.log(
    `Linux ${os.release()}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log('');
  console.log(
    table(
      [
        'kind',
        'objects',
        'this ms',
        'baseline ms',
        'this/baseline',
        'this CPU ms',
        'baseline CPU ms',
        'first call this',
        'first baseline',
        'first this/baseline',
        `warm (±${NOISE * 100}%)`,
      ],
      rows,
    ),
  );
  console.log(`\n${slower === 0 ? 'no kind slower' : `${slower} kind(s) slower`} than the baseline, warm`);
  return o.check && slower > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    console.error(`bench:compare: ${err.stack ?? err.message}`);
    deleteNamespace();
    process.exitCode = 1;
  },
);
