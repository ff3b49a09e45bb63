// Proves that what a caller's process does around nlwrap cannot bend it:
// - properties put on Object.prototype (netns, nsPath, nsFd, fakeKernelFd,
//   families, timeoutMs, kMark, ...) change nothing, neither in the facade nor
//   in the addon (a child process inside a namespace of its own, so the
//   pollution stays there);
// - with every fd in use, the package-level calls reject with EMFILE instead
//   of throwing (a child under prlimit, inside a namespace);
// - option types are checked (TypeError naming the type), a Link's index is
//   read once, and every library error code is in the README's error table.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { Handle, type Link } from '../../lib/index';
import { ctInsert } from '../helpers/conntrack';
import { describeExit, libDir, runNode } from '../helpers/child';
import { createNetns, ip, isRoot } from '../helpers/netns';

const skip = !isRoot && 'needs root';

test(
  'properties on Object.prototype change nothing: netns, nsPath, nsFd, fakeKernelFd, families, timeoutMs, kMark, ...',
  { skip },
  () => {
    const home = createNetns('proto');
    const other = createNetns('proto');
    ip(home, 'link', 'add', 'home0', 'type', 'veth', 'peer', 'name', 'home1');
    ip(other, 'link', 'add', 'other0', 'type', 'veth', 'peer', 'name', 'other1');
    ctInsert(home, [
      'ct family=4 proto=17 src=10.5.0.1 dst=10.5.0.2 sport=1 dport=2',
      'ct family=4 proto=17 src=10.5.0.3 dst=10.5.0.4 sport=3 dport=4',
    ]);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nlw-proto-')), 'out.json');
    // Runs in `home`. Each property alone, as plain assignment makes it
    // (enumerable), on a new Handle; then the default handle, opened under
    // those that name another namespace or a mark no flow has. fakeKernelFd
    // comes last: adopting stdout as a socket, close() would close fd 1.
    const script = `
    const fs = require('node:fs');
    const nl = require(${JSON.stringify(libDir)});
    const udp = () => new nl.ConntrackFilter().addProtocol(17);
    const names = (links) => links.map((l) => l.name).sort();
    const poison = {
      netns: ${JSON.stringify(other)}, nsPath: '/var/run/netns/${other}', nsFd: fs.openSync('/var/run/netns/${other}', 'r'),
      protocols: [6], families: [6], timeoutMs: 'soon', maxAttempts: 0, onInterrupted: 'never', logger: 5,
      kernelFilter: 'yes', kMark: 7, kMarkMask: 0xffffffff, kZone: 9, kProto: 6, protocol: 0, port: 0, fakeKernelFd: 1,
    };
    async function observe(open) {
      const h = open();
      try {
        return {
          links: names(await h.linkList()),
          addrs: (await h.addrList(null, nl.FAMILY_ALL, {})).length,
          flows: (await h.conntrackListFiltered(nl.ConntrackTable, nl.FAMILY_V4, udp())).length,
        };
      } finally {
        h.close();
      }
    }
    const results = {};
    async function poisoned(name, keys, open) {
      for (const k of keys) Object.prototype[k] = poison[k];
      try { results[name] = await observe(open); } catch (e) { results[name] = 'threw ' + (e.code || e.message); }
      finally { for (const k of keys) delete Object.prototype[k]; }
    }
    (async () => {
      results.want = await observe(() => new nl.Handle());
      const alone = Object.keys(poison).filter((k) => k !== 'kMark' && k !== 'kMarkMask');
      for (const keys of [['kMark', 'kMarkMask'], ...alone.map((k) => [k])]) await poisoned(keys.join('+'), keys, () => new nl.Handle());
      await poisoned('default handle', ['netns', 'nsPath', 'nsFd', 'kMark', 'kMarkMask'], () => ({
        linkList: nl.linkList, addrList: nl.addrList, conntrackListFiltered: nl.conntrackListFiltered, close() {},
      }));
      try { fs.fstatSync(1); results.stdout = 'open'; } catch (e) { results.stdout = e.code; }
      fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify(results));
    })().catch((e) => { console.error(e); process.exit(3); });`;
    const r = runNode(script, { timeoutMs: 60_000, nodeArgs: ['--import', 'tsx'], wrapper: ['ip', 'netns', 'exec', home] });
    assert.ok(r.status === 0 && r.signal === null, describeExit(r));
    const results = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>;
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
    const want = results.want as { links: string[]; flows: number };
    assert.deepEqual(want.links, ['home0', 'home1', 'lo']);
    assert.equal(want.flows, 2);
    const wrong = Object.entries(results).filter(([k, v]) => k !== 'want' && k !== 'stdout' && !isDeepStrictEqual(v, want));
    assert.deepEqual(
      wrong.map(([k]) => k),
      [],
      `prototype properties that changed a result: ${JSON.stringify(wrong)}`,
    );
    assert.equal(results.stdout, 'open');
  },
);

test('with every fd in use, the package-level calls reject with EMFILE, never throw', { skip }, () => {
  // Inside a namespace of its own: were the default handle to open, the
  // conntrack delete could only reach that namespace's (empty) table.
  const ns = createNetns('emfile');
  const script = `
    const fs = require('node:fs');
    const nl = require(${JSON.stringify(libDir)});
    const f = new nl.ConntrackFilter().addProtocol(6);
    const calls = {
      linkList: () => nl.linkList(),
      linkByName: () => nl.linkByName('lo'),
      linkByIndex: () => nl.linkByIndex(1),
      addrList: () => nl.addrList(null),
      routeList: () => nl.routeList(null),
      routeListFiltered: () => nl.routeListFiltered(0, null, 0),
      xfrmPolicyList: () => nl.xfrmPolicyList(),
      xfrmStateList: () => nl.xfrmStateList(),
      conntrackTableList: () => nl.conntrackTableList(nl.ConntrackTable, nl.FAMILY_V4),
      conntrackDeleteFilters: () => nl.conntrackDeleteFilters(nl.ConntrackTable, nl.FAMILY_V4, f),
      conntrackListFiltered: () => nl.conntrackListFiltered(nl.ConntrackTable, nl.FAMILY_V4, f),
      // Subscriptions and watches return at once; their first read / ready rejects.
      linkSubscribe: () => nl.linkSubscribe()[Symbol.asyncIterator]().next(),
      addrSubscribe: () => nl.addrSubscribe()[Symbol.asyncIterator]().next(),
      routeSubscribe: () => nl.routeSubscribe()[Symbol.asyncIterator]().next(),
      watchLinks: () => nl.watchLinks().ready,
      watchAddrs: () => nl.watchAddrs().ready,
      watchRoutes: () => nl.watchRoutes().ready,
      xfrmSubscribe: () => nl.xfrmSubscribe()[Symbol.asyncIterator]().next(),
      conntrackSubscribe: () => nl.conntrackSubscribe()[Symbol.asyncIterator]().next(),
      watchConntrack: () => nl.watchConntrack(nl.ConntrackTable, nl.FAMILY_V4).ready,
      // Streams too: their first batch rejects.
      linkStream: () => nl.linkStream()[Symbol.asyncIterator]().next(),
      addrStream: () => nl.addrStream(null)[Symbol.asyncIterator]().next(),
      routeStream: () => nl.routeStream(null)[Symbol.asyncIterator]().next(),
      routeStreamFiltered: () => nl.routeStreamFiltered(0, null, 0)[Symbol.asyncIterator]().next(),
      xfrmPolicyStream: () => nl.xfrmPolicyStream()[Symbol.asyncIterator]().next(),
      xfrmStateStream: () => nl.xfrmStateStream()[Symbol.asyncIterator]().next(),
      conntrackTableStream: () => nl.conntrackTableStream(nl.ConntrackTable, nl.FAMILY_V4)[Symbol.asyncIterator]().next(),
    };
    // Every package-level call is in the table (classes and sync helpers aside).
    const exported = Object.keys(nl).filter((k) => typeof nl[k] === 'function' && /^[a-z]/.test(k) && k !== 'isLinkType');
    const fill = [];
    for (;;) { try { fill.push(fs.openSync('/dev/null', 'r')); } catch (e) { if (e.code !== 'EMFILE') throw e; break; } }
    const out = {};
    const settled = [];
    for (const [name, call] of Object.entries(calls)) {
      let p;
      try { p = call(); } catch (e) { out[name] = 'threw ' + e.code; continue; }
      settled.push(p.then(() => { out[name] = 'resolved'; }, (e) => { out[name] = 'rejected ' + e.code; }));
    }
    Promise.all(settled).then(() => {
      for (const fd of fill) fs.closeSync(fd);
      console.log(JSON.stringify({ exported: exported.sort(), out }));
    });`;
  const r = runNode(script, {
    timeoutMs: 60_000,
    nodeArgs: ['--import', 'tsx'],
    wrapper: ['ip', 'netns', 'exec', ns, 'prlimit', '--nofile=256:256'],
  });
  assert.ok(r.status === 0 && r.signal === null, describeExit(r));
  const { exported, out } = JSON.parse(r.stdout) as { exported: string[]; out: Record<string, string> };
  assert.deepEqual(Object.keys(out).sort(), exported, 'every package-level call was tried');
  for (const [name, outcome] of Object.entries(out)) assert.equal(outcome, 'rejected EMFILE', name);
});

test('timeoutMs and maxAttempts of the wrong type are TypeErrors naming the type', () => {
  for (const [key, value, type] of [
    ['timeoutMs', 1n, 'bigint'],
    ['timeoutMs', '5', 'string'],
    ['maxAttempts', 2n, 'bigint'],
    ['maxAttempts', '3', 'string'],
  ] as const)
    assert.throws(
      () => new Handle({ [key]: value } as object),
      (e: Error) => e instanceof TypeError && e.message === `options.${key} must be a number, got ${type}`,
      `${key}: ${String(value)}`,
    );
  assert.throws(() => new Handle({ timeoutMs: 1.5 }), RangeError);
  assert.throws(() => new Handle({ timeoutMs: 0 }), RangeError);
});

test('a Link argument’s index is read once, and only as an own property', { skip }, async () => {
  const ns = createNetns('index');
  ip(ns, 'addr', 'add', '10.6.0.1/8', 'dev', 'lo');
  const h = new Handle({ netns: ns });
  try {
    for (const call of [(l: Link) => h.addrList(l, 0), (l: Link) => h.routeList(l, 0)]) {
      // A getter that passes the check once, then answers something else.
      let reads = 0;
      const link = {
        get index() {
          reads++;
          return reads === 1 ? 1 : 2 ** 40;
        },
      } as unknown as Link;
      const items = (await call(link)) as { linkIndex: number | null }[];
      assert.equal(reads, 1);
      assert.ok(items.every((x) => x.linkIndex === 1));
      // An index inherited from a prototype is not a Link's.
      await assert.rejects(call(Object.create({ index: 1 }) as Link), TypeError);
    }
  } finally {
    h.close();
  }
});

test('every library error code is in the README’s error table', () => {
  const root = path.join(__dirname, '..', '..');
  const sources = [
    ...fs.readdirSync(path.join(root, 'lib'), { recursive: true }).map((f) => path.join('lib', String(f))),
    ...fs.readdirSync(path.join(root, 'src-native')).map((f) => path.join('src-native', f)),
  ].filter((f) => /\.(ts|cc|h)$/.test(f));
  const codes = new Set<string>();
  for (const f of sources)
    for (const m of fs.readFileSync(path.join(root, f), 'utf8').matchAll(/['"](ERR_[A-Z_]+|NLM_F_DUMP_INTR)['"]/g))
      codes.add(m[1]);
  // The facade only ever asks for operations the addon registered, reads a
  // stream one read() at a time, and turns a stream its reader stopped
  // (ERR_CANCELLED) into the end of that stream.
  for (const internal of ['ERR_UNKNOWN_OP', 'ERR_READ_PENDING', 'ERR_CANCELLED']) codes.delete(internal);
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Errors'), readme.indexOf('\n## ', readme.indexOf('## Errors') + 1));
  assert.ok(codes.size >= 4, [...codes].join(' '));
  for (const code of codes) assert.ok(table.includes(`\`'${code}'\``), `${code} is not in the README's error table`);
});
