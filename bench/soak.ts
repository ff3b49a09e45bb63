// npm run soak -- --seconds N [--namespaces 3] [--handles 2] [--concurrency 16]
//
// A load test, not part of the test suite: several handles in several
// throwaway namespaces serve many concurrent list calls (every list call
// Handle has: links today, addresses/routes/XFRM/conntrack once merged) while
// one `ip -batch` process per namespace churns links, addresses and routes.
// Prints calls/s, p50/p99 latency, interrupted-and-retried counts, errors
// (must be 0), the event loop's worst timer lag, and RSS at start and end.
// Exit status 1 when any call failed.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Handle } from '../dist/index.js';
import { LIST_CALLS } from './list-calls';

const argv = process.argv.slice(2);
function opt(name: string, dflt: number): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`--${name} needs a positive number`);
    process.exit(2);
  }
  return v;
}
if (argv.includes('--help')) {
  console.log('usage: npm run soak -- [--seconds 60] [--namespaces 3] [--handles 2] [--concurrency 16]');
  process.exit(0);
}
const SECONDS = opt('seconds', 60);
const NAMESPACES = opt('namespaces', 3);
const HANDLES = opt('handles', 2);
const CONCURRENCY = opt('concurrency', 16);

// The soak's mix: every list call but linkByIndex (linkByName covers the GET path).
const CALLS = LIST_CALLS.filter((c) => c.name !== 'linkByIndex');

const namespaces: string[] = [];
const churners: ChildProcess[] = [];
function cleanup(): void {
  // Each churner is a process group (bash and its ip): kill the group.
  for (const c of churners) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  churners.length = 0;
  for (const ns of namespaces) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      /* gone */
    }
  }
  namespaces.length = 0;
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });

function setup(ns: string, n: number): void {
  execFileSync('ip', ['netns', 'add', ns]);
  namespaces.push(ns);
  const lines = ['link set lo up'];
  for (let i = 0; i < 50; i++) {
    lines.push(`link add s${i} type veth peer name t${i}`, `link set s${i} up`, `link set t${i} up`);
    for (let a = 0; a < 10; a++) lines.push(`address add 10.${n}.${i}.${a + 1}/24 dev s${i}`);
    for (let r = 0; r < 10; r++) lines.push(`route add 10.${100 + n}.${i}.${r * 16}/28 dev s${i}`);
  }
  execFileSync('ip', ['-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n' });
}

/** One process per namespace adding and deleting links, addresses and routes (~600 ops/s). */
function churn(ns: string): ChildProcess {
  const script = `
    i=0
    while :; do
      i=$(( (i + 1) % 100 ))
      echo "link add ch$i type bridge"
      echo "address add 10.250.0.$((i + 1))/32 dev lo"
      echo "route add 10.251.$i.0/24 dev lo"
      echo "link del ch$i"
      echo "address del 10.250.0.$((i + 1))/32 dev lo"
      echo "route del 10.251.$i.0/24 dev lo"
      sleep 0.01
    done | ip -n ${ns} -force -batch - >/dev/null 2>&1`;
  const c = spawn('bash', ['-c', script], { stdio: 'ignore', detached: true });
  churners.push(c);
  return c;
}

function pct(sorted: Float64Array, p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

async function main(): Promise<void> {
  for (let n = 0; n < NAMESPACES; n++) setup(`nlw-soak-${process.pid}-${n}`, n);
  const handles: Handle[] = [];
  for (const ns of namespaces) for (let k = 0; k < HANDLES; k++) handles.push(new Handle({ netns: ns, logger: { warn() {} } }));
  const proto = Handle.prototype as unknown as Record<string, unknown>;
  const calls = CALLS.filter((c) => typeof proto[c.method] === 'function');
  for (const ns of namespaces) churn(ns);

  const rssStart = process.memoryUsage().rss;
  const lat: number[] = [];
  const perCall: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let maxLag = 0;
  let last = performance.now();
  const lagTimer = setInterval(() => {
    const now = performance.now();
    maxLag = Math.max(maxLag, now - last - 10);
    last = now;
  }, 10);
  const hist = monitorEventLoopDelay({ resolution: 5 });
  hist.enable();

  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const i = next++;
        const h = handles[i % handles.length];
        const c = calls[Math.floor(i / handles.length) % calls.length];
        const s = performance.now();
        try {
          await (h as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[c.method](...c.args);
          lat.push(performance.now() - s);
          perCall[c.name] = (perCall[c.name] ?? 0) + 1;
        } catch (err) {
          const code = (err as { code?: string }).code ?? String(err);
          errors[`${c.name}:${code}`] = (errors[`${c.name}:${code}`] ?? 0) + 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(lagTimer);
  hist.disable();
  const rssEnd = process.memoryUsage().rss;
  const sorted = Float64Array.from(lat).sort();
  const st = handles.map((h) => h.stats);
  const sum = (k: 'interruptedAttempts' | 'exhaustedCalls' | 'calls'): number => st.reduce((a, s) => a + s[k], 0);
  for (const h of handles) h.close();
  const nErrors = Object.values(errors).reduce((a, b) => a + b, 0);
  const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
  console.log(
    `soak: ${elapsed.toFixed(1)} s, ${NAMESPACES} namespaces × ${HANDLES} handles, concurrency ${CONCURRENCY}, churn ~600 ops/s per namespace`,
  );
  console.log(
    `calls          ${lat.length + nErrors} (${((lat.length + nErrors) / elapsed).toFixed(0)} calls/s)  ${JSON.stringify(perCall)}`,
  );
  console.log(
    `latency        p50 ${pct(sorted, 50).toFixed(2)} ms, p99 ${pct(sorted, 99).toFixed(2)} ms, max ${pct(sorted, 100).toFixed(2)} ms`,
  );
  console.log(
    `interrupted    ${sum('interruptedAttempts')} attempts retried, ${sum('exhaustedCalls')} calls exhausted all attempts`,
  );
  console.log(`errors         ${nErrors}${nErrors ? ' ' + JSON.stringify(errors) : ''}`);
  console.log(
    `event loop     max timer lag ${maxLag.toFixed(1)} ms, delay p99 ${(hist.percentile(99) / 1e6).toFixed(1)} ms, max ${(hist.max / 1e6).toFixed(1)} ms`,
  );
  console.log(`rss            ${mib(rssStart)} MiB at start, ${mib(rssEnd)} MiB at end`);
  if (calls.length < CALLS.length)
    console.log(
      `not on Handle yet: ${CALLS.filter((c) => !calls.includes(c))
        .map((c) => c.name)
        .join(', ')}`,
    );
  cleanup();
  process.exitCode = nErrors ? 1 : 0;
}

void main().catch((err: unknown) => {
  console.error(err);
  cleanup();
  process.exitCode = 1;
});
