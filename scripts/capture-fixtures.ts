// Captures real kernel replies as seed inputs for test/unit/fuzz.test.ts:
// test/fixtures/links/*.bin (RTM_GETLINK dumps of a throwaway namespace with
// many link kinds). Each file is every datagram of one reply, concatenated,
// DONE included. Run as root, after npm run build:test-addon (its raw
// netlink sockets come from the addon's test build):
//   node --import tsx scripts/capture-fixtures.ts
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { testBinding } from '../test/helpers/test-binding';

const out = path.join(__dirname, '..', 'test', 'fixtures', 'links');
const ns = `nlw-capture-${process.pid}`;
const ip = (...a: string[]): string => execFileSync('ip', ['-n', ns, ...a], { encoding: 'utf8' });

function dump(seq: number, flags: number, index = 0): Buffer {
  const { fd } = testBinding.testing.netlinkSocket(`/var/run/netns/${ns}`, 1 << 20);
  const req = Buffer.alloc(40);
  req.writeUInt32LE(40, 0);
  req.writeUInt16LE(18, 4); // RTM_GETLINK
  req.writeUInt16LE(flags, 6);
  req.writeUInt32LE(seq, 8);
  req.writeInt32LE(index, 20);
  req.writeUInt16LE(8, 32); // IFLA_EXT_MASK = RTEXT_FILTER_VF
  req.writeUInt16LE(29, 34);
  req.writeUInt32LE(1, 36);
  testBinding.testing.send(fd, req);
  const parts: Buffer[] = [];
  const end = Date.now() + 5000;
  for (;;) {
    const d = testBinding.testing.recv(fd);
    if (d === null) {
      if (Date.now() > end) throw new Error('capture timed out');
      continue;
    }
    parts.push(d);
    let off = 0;
    let last = 0; // the datagram's last message type
    while (off + 16 <= d.length) {
      last = d.readUInt16LE(off + 4);
      off += (d.readUInt32LE(off) + 3) & ~3;
    }
    if (last === 3 || last === 2) break; // DONE or ERROR/ACK
  }
  testBinding.testing.close(fd);
  return Buffer.concat(parts);
}

execFileSync('ip', ['netns', 'add', ns]);
try {
  ip('link', 'set', 'lo', 'up');
  ip('link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb');
  ip('link', 'add', 'br0', 'type', 'bridge');
  ip('link', 'set', 'va', 'master', 'br0', 'mtu', '1400', 'up');
  ip('link', 'set', 'br0', 'up');
  ip(
    'link',
    'add',
    'vx0',
    'type',
    'vxlan',
    'id',
    '42',
    'dstport',
    '4789',
    'group',
    '239.1.1.1',
    'dev',
    'vb',
    'local',
    '10.0.0.1',
  );
  ip('link', 'add', 'mv0', 'link', 'vb', 'type', 'macvlan', 'mode', 'bridge');
  ip('link', 'add', 'mt0', 'link', 'vb', 'type', 'macvtap', 'mode', 'vepa');
  ip('tuntap', 'add', 'tun0', 'mode', 'tun');
  ip('tuntap', 'add', 'tap0', 'mode', 'tap');
  ip('link', 'add', 'ifb0', 'type', 'ifb');
  ip('link', 'property', 'add', 'dev', 'va', 'altname', 'a-very-long-alternative-name-for-va');
  ip('link', 'set', 'vb', 'alias', 'the peer of va');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'dump-kinds.bin'), dump(1, 0x301));
  fs.writeFileSync(path.join(out, 'get-va.bin'), dump(2, 0x005, Number(JSON.parse(ip('-j', 'link', 'show', 'va'))[0].ifindex)));
  fs.writeFileSync(path.join(out, 'get-missing.bin'), dump(3, 0x005, 9999));
  console.log('captured into', out, fs.readdirSync(out));
} finally {
  execFileSync('ip', ['netns', 'del', ns]);
}
