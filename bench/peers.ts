// The peers nlwrap is measured against, and what they need:
// - the C floor (bench/floor.c, libmnl) and the flow inserter (bench/ct-fill.c),
//   compiled with gcc into bench/bin/;
// - the Go peer (bench/go/main.go), built offline in GOPATH mode against
//   Debian's golang-github-vishvananda-netlink-dev;
// - iproute2 and conntrack-tools, timed as whole processes.
// Missing Debian packages are installed with apt-get when running as root
// (unless --no-install); a peer that still cannot be built is skipped, and
// the table says why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { run } from './proc';

export const BENCH_DIR = __dirname;
export const BIN_DIR = path.join(BENCH_DIR, 'bin');
const GOPATH = '/usr/share/gocode';
const VISHVANANDA = path.join(GOPATH, 'src/github.com/vishvananda/netlink');

/** What each part needs: a test, and the Debian packages that satisfy it. */
const NEEDS: { what: string; ok: () => boolean; pkgs: string[] }[] = [
  { what: 'gcc', ok: () => onPath('gcc'), pkgs: ['gcc', 'libc6-dev'] },
  { what: 'libmnl headers', ok: () => existsSync('/usr/include/libmnl/libmnl.h'), pkgs: ['libmnl-dev'] },
  { what: 'go', ok: () => onPath('go'), pkgs: ['golang-go'] },
  { what: 'vishvananda/netlink', ok: () => existsSync(VISHVANANDA), pkgs: ['golang-github-vishvananda-netlink-dev'] },
  { what: 'ip', ok: () => onPath('ip'), pkgs: ['iproute2'] },
  { what: 'conntrack', ok: () => onPath('conntrack'), pkgs: ['conntrack'] },
  { what: 'nsenter', ok: () => onPath('nsenter'), pkgs: ['util-linux'] },
];

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Installs missing packages with apt-get when root and allowed; returns notes. */
export function ensurePackages(allowInstall: boolean, log: (s: string) => void): void {
  const missing = NEEDS.filter((n) => !n.ok());
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.flatMap((n) => n.pkgs))];
  if (!allowInstall || process.getuid?.() !== 0) {
    log(
      `missing: ${missing.map((n) => n.what).join(', ')} (apt-get install ${pkgs.join(' ')}); the peers that need them are skipped`,
    );
    return;
  }
  log(`installing ${pkgs.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): number | null =>
    spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env }).status;
  if (install() !== 0) {
    spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    if (install() !== 0) log('apt-get install failed; the peers that need these packages are skipped');
  }
}

function newer(src: string[], out: string): boolean {
  if (!existsSync(out)) return true;
  const t = statSync(out).mtimeMs;
  return src.some((s) => statSync(s).mtimeMs > t);
}

/** The outcome of building one program: its path, or why it is not there. */
export type Built = { path: string } | { skip: string };

function build(out: string, srcs: string[], cmd: string, args: string[], env?: NodeJS.ProcessEnv): Built {
  mkdirSync(BIN_DIR, { recursive: true });
  if (!newer(srcs, out)) return { path: out };
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: env ?? process.env });
  if (r.error) return { skip: `${cmd} not available (${r.error.message})` };
  if (r.status !== 0) return { skip: `build failed: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' / ')}` };
  return { path: out };
}

export function buildCtFill(): Built {
  const src = path.join(BENCH_DIR, 'ct-fill.c');
  const out = path.join(BIN_DIR, 'ct-fill');
  return build(out, [src], 'gcc', ['-O2', '-Wall', '-o', out, src]);
}

export function buildFloor(): Built {
  const src = path.join(BENCH_DIR, 'floor.c');
  const out = path.join(BIN_DIR, 'floor');
  return build(out, [src], 'gcc', ['-O2', '-Wall', '-o', out, src, '-lmnl']);
}

export function buildGoPeer(): Built {
  const srcs = ['main.go', 'rtnl_events.go'].map((f) => path.join(BENCH_DIR, 'go', f));
  const out = path.join(BIN_DIR, 'go-peer');
  if (!existsSync(VISHVANANDA)) return { skip: `${VISHVANANDA} missing (golang-github-vishvananda-netlink-dev)` };
  const env = { ...process.env, GO111MODULE: 'off', GOPATH, GOCACHE: path.join(BIN_DIR, '.gocache'), GOFLAGS: '' };
  return build(out, srcs, 'go', ['build', '-o', out, ...srcs], env);
}

/** One kind's result from a peer. */
export interface PeerResult {
  count?: number;
  ms?: number;
  skip?: string;
  /** Extra figures (bytes, recvs, ...). */
  extra?: Record<string, number>;
}

export type Kind = 'links' | 'addrs' | 'routes' | 'xfrm' | 'conntrack';
export const KINDS: Kind[] = ['links', 'addrs', 'routes', 'xfrm', 'conntrack'];

/** A --kinds value (comma-separated), checked. */
export function parseKinds(s: string): Kind[] {
  const ks = s.split(',');
  for (const k of ks) if (!KINDS.includes(k as Kind)) throw new Error(`--kinds: unknown kind ${k}`);
  return ks as Kind[];
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Go peer kinds beyond the five: addrs1 (-link IFINDEX), ctdelete (-mark M). */
export type GoExtraKind = 'addrs1' | 'ctdelete';

/** Runs a peer that prints one {kind,count,median_ms,...} line per kind. */
async function runLines<K extends string>(bin: Built, args: string[], kinds: K[]): Promise<Map<K, PeerResult>> {
  const out = new Map<K, PeerResult>();
  if ('skip' in bin) {
    for (const k of kinds) out.set(k, { skip: bin.skip });
    return out;
  }
  const r = await run(bin.path, [...args, ...kinds]);
  for (const line of jsonLines(r.stdout)) {
    const { kind, count, median_ms, ...extra } = line as { kind: K; count: number; median_ms: number };
    out.set(kind, { count, ms: median_ms, extra: extra as Record<string, number> });
  }
  const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
  for (const k of kinds) if (!out.has(k)) out.set(k, { skip: why });
  return out;
}

export function runFloor(bin: Built, nsPath: string, reps: number, kinds: Kind[]): Promise<Map<Kind, PeerResult>> {
  return runLines(bin, [nsPath, String(reps)], kinds);
}

export function runGo<K extends Kind | GoExtraKind>(
  bin: Built,
  ns: string,
  reps: number,
  kinds: K[],
  flags: string[] = [],
): Promise<Map<K, PeerResult>> {
  return runLines(bin, ['-netns', ns, '-reps', String(reps), ...flags], kinds);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * One figure from a peer's rounds of calls: the median of the round medians
 * (and of each extra figure); a skipped round skips the peer.
 */
export function combineRounds(rounds: PeerResult[]): PeerResult {
  const skipped = rounds.find((r) => r.skip !== undefined || r.ms === undefined);
  if (skipped) return skipped.skip !== undefined ? skipped : { skip: 'no time measured' };
  const extra: Record<string, number> = {};
  for (const key of Object.keys(rounds[0].extra ?? {}))
    extra[key] = median(rounds.map((r) => r.extra?.[key]).filter((v): v is number => v !== undefined));
  return { count: rounds[0].count, ms: median(rounds.map((r) => r.ms!)), extra };
}

/** Median wall time of a whole process, stdout to /dev/null. */
export async function timeProcess(cmd: string, args: string[], runs: number): Promise<PeerResult> {
  if (!onPath(cmd)) return { skip: `${cmd} not installed` };
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await run(cmd, args, { discardStdout: true });
    if (r.status !== 0) return { skip: `${cmd} failed: ${(r.error?.message ?? r.stderr).trim().split('\n')[0]}` };
    times.push(r.ms);
  }
  return { ms: median(times) };
}

/** The iproute2 / conntrack-tools command for each kind, run in the namespace. */
export function toolCommand(kind: Kind, ns: string, nsPath: string): { label: string; cmd: string; args: string[] } {
  switch (kind) {
    case 'links':
      return { label: 'ip -j -d link show', cmd: 'ip', args: ['-n', ns, '-j', '-d', 'link', 'show'] };
    case 'addrs':
      return { label: 'ip -j addr', cmd: 'ip', args: ['-n', ns, '-j', 'addr'] };
    case 'routes':
      return { label: 'ip -j route show table all', cmd: 'ip', args: ['-n', ns, '-j', 'route', 'show', 'table', 'all'] };
    case 'xfrm':
      return { label: 'ip xfrm policy', cmd: 'ip', args: ['-n', ns, 'xfrm', 'policy'] };
    case 'conntrack':
      return { label: 'conntrack -L', cmd: 'nsenter', args: [`--net=${nsPath}`, 'conntrack', '-L'] };
  }
}

/** `conntrack -D --mark m` in the namespace: time and count deleted. */
export async function conntrackDelete(nsPath: string, mark: number): Promise<{ ms: number; deleted: number } | { skip: string }> {
  if (!onPath('conntrack')) return { skip: 'conntrack not installed' };
  const r = await run('nsenter', [`--net=${nsPath}`, 'conntrack', '-D', '--mark', String(mark)], { discardStdout: true });
  // conntrack-tools prints "N flow entries have been deleted." on stderr.
  const m = /(\d+) flow entries have been deleted/.exec(r.stderr);
  if (!m) return { skip: `conntrack -D failed: ${r.stderr.trim().split('\n')[0]}` };
  return { ms: r.ms, deleted: Number(m[1]) };
}
