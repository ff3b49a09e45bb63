// Conntrack fixtures for tests: bench/ct-insert (built on first use with cc)
// creates flows and expectations fast inside a namespace, and `conntrack`
// (conntrack-tools) is the independent oracle for what the kernel holds.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const bin = path.join(root, 'build', 'ct-insert');
const src = path.join(root, 'bench', 'ct-insert.c');

/** Path of the fixture builder, compiled when missing or older than its source. */
export function ctInsertPath(): string {
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs)
    execFileSync('sh', [path.join(root, 'scripts', 'build-ct-insert.sh')], { stdio: 'inherit' });
  return bin;
}

/** Creates every line's flow/expectation in `ns`; throws with stderr when any fails. */
export function ctInsert(ns: string, lines: string[]): void {
  const r = spawnSync('ip', ['netns', 'exec', ns, ctInsertPath()], {
    input: lines.join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`ct-insert failed (${r.status}): ${r.stderr.slice(0, 2000)}`);
}

/**
 * Makes the kernel keep labels in `ns`: it stores them only once a rule in
 * the namespace uses `ct label`.
 */
export function enableLabels(ns: string): void {
  execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
    input: 'table inet nlwlabels {\n chain c {\n  type filter hook prerouting priority 0;\n  ct label set 127\n }\n}\n',
  });
}

/** `conntrack <args>` inside `ns`, stdout only. */
export function conntrackCli(ns: string, args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, 'conntrack', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 28,
  });
}
