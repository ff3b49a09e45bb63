// Throwaway network namespaces for kernel tests. Every namespace gets a
// unique name (prefix + pid + counter), is registered for removal, and is
// deleted when the test ends, also when it fails, and at process exit as a
// last resort. Nothing here touches the host's own network state.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { after } from 'node:test';
import { cleanupOnSignal } from './cleanup-on-signal';

const live = new Set<string>();
let counter = 0;

export function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
}

/** Runs `ip -n ns <args>`; throws with stderr on failure. */
export function ip(ns: string, ...args: string[]): string {
  return sh('ip', ['-n', ns, ...args]);
}

/** `ip -j -n ns <args>`, parsed. */
export function ipJson<T = unknown>(ns: string, ...args: string[]): T {
  const out = sh('ip', ['-j', '-n', ns, ...args]);
  return (out.trim() === '' ? [] : JSON.parse(out)) as T;
}

/** Feeds `ip -n ns -batch -` one command per line (fast bulk setup). */
export function ipBatch(ns: string, lines: string[]): void {
  const r = spawnSync('ip', ['-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`ip -batch failed: ${r.stderr}`);
}

/**
 * `ip -n ns -batch -` without blocking the event loop (a subscription reads
 * meanwhile). With `force`, commands the kernel refuses are skipped (exit
 * 1), but a line ip cannot parse still fails: it ends the batch.
 */
export function ipBatchAsync(ns: string, lines: string[], force = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn('ip', ['-n', ns, ...(force ? ['-force'] : []), '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (b: Buffer) => (err += b.toString()));
    c.on('error', reject);
    c.on('close', (code) =>
      code === 0 || (force && code === 1) ? resolve() : reject(new Error(`ip -batch exited ${code}: ${err.slice(-500)}`)),
    );
    c.stdin.end(lines.join('\n') + '\n');
  });
}

/** Runs a command inside the namespace (ip netns exec). */
export function inNs(ns: string, cmd: string, args: string[], input?: string): string {
  return sh('ip', ['netns', 'exec', ns, cmd, ...args], input);
}

export function deleteNetns(name: string): void {
  spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  live.delete(name);
}

/**
 * Creates a namespace named `nlw-<tag>-<pid>-<n>` with lo up, deleted after
 * the current test file (or earlier with deleteNetns).
 */
export function createNetns(tag: string): string {
  const name = `nlw-${tag}-${process.pid}-${++counter}`;
  sh('ip', ['netns', 'add', name]);
  live.add(name);
  ip(name, 'link', 'set', 'lo', 'up');
  return name;
}

/** Disables IPv6 DAD and link-local autoconf so address counts are exact. */
export function quietIpv6(ns: string): void {
  for (const key of ['default', 'all'])
    for (const [k, v] of [
      ['addr_gen_mode', '1'],
      ['accept_dad', '0'],
    ])
      inNs(ns, 'sysctl', ['-qw', `net.ipv6.conf.${key}.${k}=${v}`]);
}

function cleanupAll(): void {
  for (const name of [...live]) deleteNetns(name);
}

after(cleanupAll);
process.on('exit', cleanupAll);
cleanupOnSignal(cleanupAll);

export const isRoot = process.getuid?.() === 0;
