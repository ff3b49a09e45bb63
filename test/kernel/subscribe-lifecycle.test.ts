// Proves the lifecycle of subscriptions and watches, in child processes (a
// crash there cannot take the test runner with it): iteration ends cleanly
// by close(), break, an aborted signal (also one aborted before), leaving
// batches(), closing the handle, and a watch by close(), its signal or its
// handle; in the main thread and inside a worker thread, whose end
// (terminate() while everything is open and reading) closes what it had
// open. Afterwards no addon fd (socket, eventfd, namespace fd) is left, no
// thread still reads a socket (blocked in poll), and once the addon's idle
// threads exited (~10 s) the thread count is what it was. An open
// subscription keeps the process alive like a socket; unref() lets it exit.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { createNetns, isRoot } from '../helpers/netns';

const skip = !isRoot && 'needs root';
const CHILD = path.join(__dirname, '..', 'helpers', 'subscribe-lifecycle-child.ts');

interface Outcome {
  ways: Record<string, string>;
  base: { fds: number; threads: number };
  fds: number;
  polling: number;
  threads: number;
  waitedMs: number;
  held?: { open: number };
  fdsWhileHeld?: number;
}

function run(args: string[], timeoutMs = 40_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

const ALL_WAYS = [
  'close',
  'break',
  'breakClosed',
  'abort',
  'abortedBefore',
  'batchesBreak',
  'watchClose',
  'watchAbort',
  'handleClose',
  'handleCloseWatch',
];

test(
  'every way of ending a subscription or a watch, in the main thread and in a worker, leaves nothing behind',
  { skip },
  async (t) => {
    // Both at once: each waits ~10 s for the addon's idle threads to exit.
    const [main, worker] = await Promise.all([run(['main', createNetns('life')]), run(['worker', createNetns('life')])]);
    for (const [where, r] of [
      ['main thread', main],
      ['worker', worker],
    ] as const) {
      assert.equal(r.code, 0, `${where}: ${r.stderr}`);
      const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as Outcome;
      assert.deepEqual(Object.keys(o.ways).sort(), [...ALL_WAYS].sort(), where);
      for (const [way, result] of Object.entries(o.ways)) {
        const want =
          way === 'breakClosed' ? 'true' : way === 'batchesBreak' ? 'clean true' : /^handleClose/.test(way) ? null : 'clean';
        if (want !== null) assert.equal(result, want, `${where}: ${way}`);
        else
          assert.ok(
            result.split(',').every((x) => x === 'clean'),
            `${where}: ${way}: ${result}`,
          );
      }
      assert.equal(o.fds, o.base.fds, `${where}: addon fds ${o.base.fds} before, ${o.fds} after`);
      assert.equal(o.polling, 0, `${where}: threads still reading a socket`);
      assert.equal(o.threads, o.base.threads, `${where}: threads ${o.base.threads} before, ${o.threads} after ${o.waitedMs} ms`);
      if (where === 'worker') {
        // Five open (three subscriptions, two watches), each with a socket and
        // a stop eventfd, plus the handle's sockets: all gone with the worker.
        assert.ok(o.fdsWhileHeld! >= o.base.fds + 2 * o.held!.open, `fds while the worker held them: ${o.fdsWhileHeld}`);
      }
      t.diagnostic(
        `${where}: addon fds ${o.base.fds} → ${o.fds}, threads ${o.base.threads} → ${o.threads} (idle threads gone after ${o.waitedMs} ms)`,
      );
    }
  },
);

test('an open subscription keeps the process alive; unref() lets it exit', { skip }, async () => {
  const ns = createNetns('life');
  // The package-level calls use a default handle in the caller's namespace:
  // the children run inside the test's namespace.
  const inNs = (mode: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> =>
    new Promise((resolve, reject) => {
      const t0 = Date.now();
      const p = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', CHILD, mode, ns], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let killed = false;
      p.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        // Still alive 1.5 s after it was ready: kept alive.
        if (mode === 'ref' && stdout.includes('ready') && !killed) {
          killed = true;
          setTimeout(() => p.kill('SIGTERM'), 1500);
        }
      });
      p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const guard = setTimeout(() => p.kill('SIGKILL'), 20_000);
      p.on('error', reject);
      p.on('close', (code, signal) => {
        clearTimeout(guard);
        resolve({ code: code ?? (signal === 'SIGTERM' ? -15 : -9), stdout, stderr, ms: Date.now() - t0 });
      });
    });
  const [ref, unref] = await Promise.all([inNs('ref'), inNs('unref')]);
  assert.match(unref.stdout, /ready/, unref.stderr);
  assert.equal(unref.code, 0, `unref: exits by itself (${unref.stderr})`);
  assert.match(ref.stdout, /ready/, ref.stderr);
  assert.equal(ref.code, -15, 'ref: still running until killed');
});
