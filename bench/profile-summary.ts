// Where a first call's time goes, from the profiles `npm run bench --
// --cpu-prof DIR` writes (one per first-call process, with the first call's
// window beside it): V8 CPU-profile samples inside the window, grouped.
//
//   node --import tsx bench/profile-summary.ts DIR
//
// Groups: the generated decoders; the rest of nlwrap's JS; (garbage
// collector); (idle), i.e. the JS thread waiting for the addon's threads and
// the kernel; (program), V8 and N-API work outside any JS function; Node's
// own JS. Per kind, the median over its processes, in ms.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const GROUPS = [
  'decoders',
  'nlwrap JS',
  'garbage collector',
  'idle (addon, kernel)',
  'program (V8, N-API)',
  'node JS',
  'other',
] as const;
type Group = (typeof GROUPS)[number];

function groupOf(f: ProfileNode['callFrame']): Group {
  if (f.url.includes('generated/decoders')) return 'decoders';
  if (f.url.includes('/dist/') || f.url.includes('/lib/')) return 'nlwrap JS';
  if (f.functionName === '(garbage collector)') return 'garbage collector';
  if (f.functionName === '(idle)') return 'idle (addon, kernel)';
  if (f.functionName === '(program)') return 'program (V8, N-API)';
  if (f.url.startsWith('node:')) return 'node JS';
  return 'other';
}

/** ms per group inside [from, to] (µs, the profiler's clock). */
function breakdown(p: CpuProfile, from: number, to: number): Record<Group, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const out = Object.fromEntries(GROUPS.map((g) => [g, 0])) as Record<Group, number>;
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    // A sample stands for the time since the one before it.
    const prev = t;
    t += p.timeDeltas[i];
    const overlap = Math.min(t, to) - Math.max(prev, from);
    if (overlap <= 0) continue;
    out[groupOf(byId.get(p.samples[i])!.callFrame)] += overlap / 1000;
  }
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function main(): void {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: profile-summary.ts DIR');
  const perKind = new Map<string, Record<Group, number>[]>();
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.window.json'))
    .sort()) {
    const m = /^first-(\w+)-\d+\.window\.json$/.exec(f);
    if (!m) continue;
    const [from, to] = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as [number, number];
    const prof = JSON.parse(readFileSync(path.join(dir, f.replace('.window.json', '.cpuprofile')), 'utf8')) as CpuProfile;
    const list = perKind.get(m[1]) ?? [];
    list.push(breakdown(prof, from, to));
    perKind.set(m[1], list);
  }
  const head = ['kind', 'processes', ...GROUPS, 'total'];
  const rows = [...perKind].map(([kind, runs]) => {
    const cells = GROUPS.map((g) => median(runs.map((r) => r[g])));
    return [
      kind,
      String(runs.length),
      ...cells.map((v) => v.toFixed(1)),
      median(runs.map((r) => GROUPS.reduce((a, g) => a + r[g], 0))).toFixed(1),
    ];
  });
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  console.log('first call, ms per group (median over the processes):');
  console.log([line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n'));
}

main();
