// Proves how a Handle opens its namespace: only a network namespace is
// accepted, anything else (a FIFO, a regular file, a directory, a device,
// another namespace type) fails at once with EINVAL and never blocks the
// event loop (a FIFO opened for reading would wait for a writer); an O_PATH
// fd of a namespace works; and when opening fails after the namespace fd
// was opened (setns EPERM without CAP_SYS_ADMIN, EMFILE at each step), every
// fd is closed exactly once: strace sees no close() answered EBADF, which a
// second close of the same number gives (or, worse, closes a file another
// thread has opened under that number meanwhile).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { NetlinkError } from '../../lib/errors';
import { Handle } from '../../lib/handle';
import { describeExit, libDir, runNode } from '../helpers/child';
import { createNetns, ip, isRoot } from '../helpers/netns';

const skip = !isRoot && 'needs root';
const O_PATH = 0o10000000; // <asm-generic/fcntl.h>; fs.constants has no O_PATH

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlw-netns-'));
  dirs.push(dir);
  return dir;
}

const notNetns = (e: unknown): boolean =>
  e instanceof NetlinkError && e.code === 'EINVAL' && /is not a network namespace/.test(e.message);

test('a FIFO as netns fails at once with EINVAL, in new Handle() and in the CLI (a child: a hang is killed)', { skip }, () => {
  const fifo = path.join(tmpDir(), 'fifo');
  execFileSync('mkfifo', [fifo]);
  const script = `
    const { Handle } = require(${JSON.stringify(libDir)});
    const { main } = require(${JSON.stringify(path.join(libDir, 'cli'))});
    let code;
    try { new Handle({ netns: ${JSON.stringify(fifo)} }); code = 'opened'; } catch (e) { code = e.code + ': ' + e.message; }
    const err = [];
    main(['links', '--netns', ${JSON.stringify(fifo)}], () => {}, (s) => err.push(s)).then((exit) =>
      console.log(JSON.stringify({ code, exit, err: err.join('') })));`;
  const t0 = Date.now();
  const r = runNode(script, { timeoutMs: 20_000, nodeArgs: ['--import', 'tsx'] });
  assert.ok(r.status === 0 && r.signal === null, describeExit(r));
  const out = JSON.parse(r.stdout) as { code: string; exit: number; err: string };
  assert.match(out.code, /^EINVAL: .*fifo is not a network namespace/);
  assert.equal(out.exit, 1);
  assert.match(out.err, /is not a network namespace \(EINVAL\)/);
  assert.ok(Date.now() - t0 < 15_000);
});

test('files and fds that are not network namespaces are refused with EINVAL', { skip }, () => {
  const dir = tmpDir();
  const file = path.join(dir, 'file');
  fs.writeFileSync(file, 'not a namespace');
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  for (const netns of [file, dir, '/dev/null', '/proc/self/ns/mnt', '/proc/self/ns/uts'])
    assert.throws(() => new Handle({ netns }), notNetns, netns);
  // As fds: a FIFO (both ends of it open, non-blocking), a socket's
  // namespace-less fd, and O_PATH fds of a FIFO and of another namespace type.
  const fds = [
    fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK),
    fs.openSync(fifo, O_PATH),
    fs.openSync('/proc/self/ns/mnt', O_PATH),
    fs.openSync(file, 'r'),
  ];
  try {
    for (const fd of fds) assert.throws(() => new Handle({ netns: fd }), notNetns, `fd ${fd}`);
    // The caller's fds stay open and usable.
    for (const fd of fds) fs.fstatSync(fd);
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
});

test('an O_PATH fd of a network namespace works as netns', { skip }, async () => {
  const ns = createNetns('nsopen');
  ip(ns, 'link', 'add', 'pa', 'type', 'veth', 'peer', 'name', 'pb');
  const fd = fs.openSync(`/var/run/netns/${ns}`, O_PATH);
  try {
    const h = new Handle({ netns: fd });
    try {
      assert.deepEqual((await h.linkList()).map((l) => l.name).sort(), ['lo', 'pa', 'pb']);
    } finally {
      h.close();
    }
    fs.fstatSync(fd); // still the caller's
  } finally {
    fs.closeSync(fd);
  }
});

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
  // each step in turn (namespace fd, its reopening, eventfd, each socket).
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
