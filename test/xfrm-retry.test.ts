// Proves the retry policy on XFRM dumps with crafted kernel replies: a fake
// kernel (test/helpers/xfrm_fake_kernel.py, a datagram socketpair) answers
// xfrm.policy.dump / xfrm.state.dump with real captured messages carrying
// NLM_F_DUMP_INTR on a data message or on NLMSG_DONE only. The socket core
// latches the flag, the facade's retry loop (the same withRetries Handle's
// dumps use) makes up to maxAttempts complete attempts, returns the last
// results with one warning, or rejects with DumpInterruptedError (.partial,
// .attempts); family filtering holds on every attempt. The real kernels
// never flagged XFRM dumps (6.18 host, 6.1 guest under churn), so this is
// the only way to exercise it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

const root = path.join(__dirname, '..');

// The client runs in a child process that inherits the socketpair end.
const CLIENT = `
const { testBinding: binding } = require(${JSON.stringify(path.join(root, 'test/helpers/test-binding.ts'))});
const { withRetries } = require(${JSON.stringify(path.join(root, 'lib/retry.ts'))});
const { nativeRequest } = require(${JSON.stringify(path.join(root, 'lib/native-request.ts'))});
const nh = new binding.NativeHandle({ fakeKernelFd: Number(process.env.NLW_FAKE_FD), protocol: 6, port: 4242 });
const run = async (op, family, onInterrupted) => {
  const stats = { calls: 1, interruptedAttempts: 0, exhaustedCalls: 0 };
  const warnings = [];
  const policy = { maxAttempts: 5, onInterrupted, logger: { warn: (m) => warnings.push(m) } };
  let attempts = 0;
  try {
    const items = await withRetries(op, policy, stats, {}, async () => {
      attempts++;
      const root = op === 'xfrm.policy.dump' ? 'xfrm_policy' : 'xfrm_state';
      const r = await nativeRequest(nh, op, op, { family }, 5000, root);
      return { value: r.items, interrupted: r.reply.interrupted };
    });
    return { attempts, stats, warnings, n: items.length, families: items.map((x) => x.family) };
  } catch (e) {
    return { attempts, stats, warnings, error: { name: e.name, code: e.code, attempts: e.attempts, partial: e.partial && e.partial.length } };
  }
};
(async () => {
  const out = [];
  out.push(await run('xfrm.policy.dump', 0, 'return'));  // plan: d,1,0
  out.push(await run('xfrm.state.dump', 10, 'return'));  // plan: 1 x5
  out.push(await run('xfrm.policy.dump', 2, 'throw'));   // plan: 1,d,1,d,1
  out.push(await run('xfrm.state.dump', 0, 'throw'));    // plan: 0
  nh.close();
  process.stdout.write(JSON.stringify(out));
})();
`;

const noPython = spawnSync('python3', ['--version']).status !== 0 && 'needs python3 (the fake kernel)';

test('XFRM dumps flagged NLM_F_DUMP_INTR are retried, then returned or thrown', { skip: noPython }, () => {
  const plan = ['d', '1', '0', '1', '1', '1', '1', '1', '1', 'd', '1', 'd', '1', '0'].join(',');
  const r = spawnSync(
    'python3',
    [
      path.join(__dirname, 'helpers', 'xfrm_fake_kernel.py'),
      path.join(__dirname, 'fixtures', 'xfrm'),
      plan,
      process.execPath,
      '--import',
      'tsx',
      '-e',
      CLIENT,
    ],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /served 14 requests/);
  const [a, b, c, d] = JSON.parse(r.stdout);
  // Two flagged attempts (once on DONE only), the third clean: its results.
  assert.deepEqual([a.attempts, a.stats.interruptedAttempts, a.stats.exhaustedCalls, a.n, a.warnings.length], [3, 2, 0, 5, 0]);
  // Every attempt flagged: the last results (the two IPv6 SAs) and one warning.
  assert.deepEqual([b.attempts, b.stats.interruptedAttempts, b.stats.exhaustedCalls, b.n, b.families], [5, 5, 1, 2, [10, 10]]);
  assert.equal(b.warnings.length, 1);
  assert.match(b.warnings[0], /xfrm\.state\.dump was interrupted \(NLM_F_DUMP_INTR\) 5 times/);
  // onInterrupted 'throw': DumpInterruptedError with the last (filtered) results.
  assert.deepEqual(c.error, { name: 'DumpInterruptedError', code: 'NLM_F_DUMP_INTR', attempts: 5, partial: 4 });
  assert.equal(c.attempts, 5);
  // A clean dump goes through once.
  assert.deepEqual([d.attempts, d.n, d.stats.interruptedAttempts], [1, 9, 0]);
});
