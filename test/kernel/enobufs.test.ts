// Proves the socket core's answer to ENOBUFS from a real kernel socket (the
// fake kernel of test/fake/fake-kernel.test.ts cannot make one): the dump is
// reported lost and the overrun socket is dropped, not reused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callNative } from '../helpers/native-call';
import { createNetns, ipBatch, isRoot } from '../helpers/netns';
import { testBinding } from '../helpers/test-binding';

/** The call's rejection. */
async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string };
  }
  assert.fail('expected a rejection');
}

// A dump alone cannot overrun a netlink socket: the kernel fills the next
// chunk of a dump only when the reader has room (netlink_dump checks
// sk_rmem_alloc), however small the receive buffer. The kernel reports
// ENOBUFS when a *unicast* or multicast message finds the buffer full
// (netlink_attachskb → netlink_overrun sets sk_err). So: a real NETLINK_ROUTE
// socket with a tiny receive buffer in a test namespace, flooded with
// RTM_GETLINK requests whose answers are never read, then handed to the core.
test(
  'ENOBUFS from a real kernel socket: the dump is reported lost, the socket closed',
  { skip: !isRoot && 'needs root' },
  async () => {
    const ns = createNetns('enobufs');
    ipBatch(
      ns,
      Array.from({ length: 20 }, (_, i) => `link add fk${i} type veth peer name fp${i}`),
    );
    const { fd, port } = testBinding.testing.netlinkSocket(`/var/run/netns/${ns}`, 4096);
    const req = Buffer.alloc(32);
    req.writeUInt32LE(32, 0);
    req.writeUInt16LE(18, 4); // RTM_GETLINK
    req.writeUInt16LE(1, 6); // NLM_F_REQUEST: one unicast answer each
    req.writeInt32LE(1, 20); // ifi_index 1 (lo)
    for (let i = 0; i < 64; i++) {
      req.writeUInt32LE(1000 + i, 8);
      try {
        testBinding.testing.send(fd, req);
      } catch {
        break;
      }
    }
    const nh = new testBinding.NativeHandle({ fakeKernelFd: fd, protocol: 0, port });
    const e = await failure(callNative(nh, 'link.dump', {}, 3000));
    assert.equal(e.code, 'ENOBUFS');
    assert.match(e.message, /dump was lost/);
    const again = await failure(callNative(nh, 'link.dump', {}, 500));
    assert.equal(again.code, 'EBUSY', 'the overrun socket was dropped, not reused');
    nh.close();
  },
);
