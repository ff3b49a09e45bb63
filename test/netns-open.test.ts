// Proves how a Handle opens its namespace: when opening fails after the
// namespace fd was opened (setns EPERM without CAP_SYS_ADMIN, EMFILE at each
// step), every fd is closed exactly once: strace sees no close() answered
// EBADF, which a second close of the same number gives (or, worse, closes a
// file another thread has opened under that number meanwhile).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { describeExit, libDir, runNode } from './helpers/child';
import { createNetns, isRoot } from './helpers/netns';

const skip = !isRoot && 'needs root';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlw-netns-'));
  dirs.push(dir);
  return dir;
}

/** close() calls strace saw answered EBADF, and how many close() calls it saw at all. */
function badCloses(trace: string): { bad: string[]; closes: number } {
  const lines = fs.readFileSync(trace, 'utf8').split('\n');
  return {
    bad: lines.filter((l) => /close\(\d+\)\s+= -1 EBADF/.test(l)),
    closes: lines.filter((l) => /close\(\d+\)\s+= /.test(l)).length,
  };
}

test('a failed new Handle({ netns }) closes every fd it opened exactly once (strace: no close() = EBADF)', { skip }, () => {
  const ns = createNetns('nsopen');
  const dir = tmpDir();
  const strace = (name: string): string[] => ['strace', '-f', '-qq', '-e', 'trace=close', '-o', path.join(dir, name)];
  // setns(CLONE_NEWNET) fails with EPERM once CAP_SYS_ADMIN is gone: the
  // namespace fd was open by then.
  const eperm = `
    const { Handle } = require(${JSON.stringify(libDir)});
    const codes = [];
    for (let i = 0; i < 20; i++) { try { new Handle({ netns: ${JSON.stringify(ns)} }).close(); codes.push('opened'); } catch (e) { codes.push(e.code); } }
    console.log(JSON.stringify(codes));`;
  let r = runNode(eperm, {
    timeoutMs: 60_000,
    nodeArgs: ['--import', 'tsx'],
    wrapper: [...strace('eperm'), 'setpriv', '--bounding-set', '-sys_admin'],
  });
  assert.ok(r.status === 0 && r.signal === null, describeExit(r));
  assert.deepEqual(JSON.parse(r.stdout), Array(20).fill('EPERM'));
  let seen = badCloses(path.join(dir, 'eperm'));
  assert.ok(seen.closes > 0, 'strace saw the child close fds');
  assert.deepEqual(seen.bad, [], 'an fd closed twice (setns EPERM)');

  // With the fd table full, then 1, 2, ... 8 fds free: opening fails at
  // each step in turn (namespace fd, eventfd, each socket).
  const emfile = `
    const fs = require('node:fs');
    const { Handle } = require(${JSON.stringify(libDir)});
    const fill = [];
    const refill = () => { for (;;) { try { fill.push(fs.openSync('/dev/null', 'r')); } catch (e) { if (e.code !== 'EMFILE') throw e; return; } } };
    refill();
    const out = [];
    for (let free = 1; free <= 8; free++) {
      for (const fd of fill.splice(0, free)) fs.closeSync(fd);
      try { new Handle({ netns: ${JSON.stringify(ns)} }).close(); out.push('opened'); } catch (e) { out.push(e.code); }
      refill();
    }
    for (const fd of fill) fs.closeSync(fd);
    console.log(JSON.stringify(out));`;
  r = runNode(emfile, {
    timeoutMs: 60_000,
    nodeArgs: ['--import', 'tsx'],
    wrapper: [...strace('emfile'), 'prlimit', '--nofile=256:256'],
  });
  assert.ok(r.status === 0 && r.signal === null, describeExit(r));
  const outcomes = JSON.parse(r.stdout) as string[];
  assert.ok(outcomes.filter((c) => c === 'EMFILE').length >= 3, `outcomes: ${outcomes.join(' ')}`);
  assert.ok(outcomes.includes('opened'), `outcomes: ${outcomes.join(' ')}`);
  seen = badCloses(path.join(dir, 'emfile'));
  assert.ok(seen.closes > 0, 'strace saw the child close fds');
  assert.deepEqual(seen.bad, [], 'an fd closed twice (EMFILE)');
});
