// Child processes for tests whose failure is a crash, an abort or a hang: the
// child dies or is killed, and the test fails instead of the runner.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');

/**
 * The package directory, whose `require()` loads dist/ as users get it
 * (npm test builds it first). Worker threads load this rather than lib/
 * through tsx: they start in milliseconds, so a terminate() lands inside
 * nlwrap's own calls instead of inside the TypeScript loader.
 */
export function builtPackage(): string {
  const built = fs.statSync(path.join(root, 'dist', 'index.js')).mtimeMs;
  const lib = path.join(root, 'lib');
  for (const f of fs.readdirSync(lib, { recursive: true })) {
    if (String(f).endsWith('.ts') && fs.statSync(path.join(lib, String(f))).mtimeMs > built)
      throw new Error(`dist/ is older than lib/${String(f)}: run npm run build:ts`);
  }
  return root;
}

/** lib/ for a child run with tsx. */
export const libDir = path.join(root, 'lib');

/**
 * Runs `node [nodeArgs] -e script` (prefixed by `wrapper`, e.g. strace or
 * prlimit) and returns what happened; `timeoutMs` kills a hung child.
 */
export function runNode(
  script: string,
  options: { timeoutMs: number; nodeArgs?: string[]; wrapper?: string[] },
): SpawnSyncReturns<string> {
  const argv = [...(options.wrapper ?? []), process.execPath, ...(options.nodeArgs ?? []), '-e', script];
  return spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: options.timeoutMs, maxBuffer: 1 << 26 });
}

/** A one-line account of how a child ended, for assertion messages. */
export function describeExit(r: SpawnSyncReturns<string>): string {
  const how = r.error ? `failed to run (${r.error.message})` : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
  return `${how}\nstdout: ${r.stdout?.slice(-2000)}\nstderr: ${r.stderr?.slice(-3000)}`;
}
