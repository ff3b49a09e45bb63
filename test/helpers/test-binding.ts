// The test build of the addon (binding.gyp's nlwrap_test, made by `npm run
// build:test-addon`, which npm test's pretest runs): the shipped code plus
// the fake kernel's seams, which the shipped addon does not have:
//   new NativeHandle({ fakeKernelFd, protocol, port })  a handle whose only
//       socket is a socketpair end (or any fd) playing the kernel;
//   testing  the plumbing Node lacks (test/native/testing.cc).
// lib/ never loads it: a test hands its handles to a Handle through the
// constructor's `open` argument (test/helpers/fake-kernel.ts).
// NLWRAP_TEST_ADDON names another file (test:arm64's cross-built one).
import path from 'node:path';
import type { NativeBinding, NativeHandle, NativeHandleOptions } from '../../lib/binding';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script without types
const { sourceHash } = require('../../scripts/source-hash.js') as { sourceHash(root: string): string };
const root = path.join(__dirname, '..', '..');

/** A handle over `fakeKernelFd`, owned by it from then on; `port` is the port id it believes it has. */
export interface FakeKernelHandleOptions {
  fakeKernelFd: number;
  protocol: number;
  port: number;
}

/** test/native/testing.cc. */
export interface NativeTesting {
  /** An AF_UNIX SOCK_DGRAM pair with big buffers; the peer end is non-blocking. */
  socketpair(): [coreFd: number, peerFd: number];
  /** One whole datagram, or null when none waits. */
  recv(fd: number): Buffer | null;
  send(fd: number, buf: Uint8Array): number;
  close(fd: number): void;
  /** A real NETLINK_ROUTE socket in a namespace, with the given receive buffer. */
  netlinkSocket(nsPath: string | null, rcvbuf: number): { fd: number; port: number };
}

export interface TestBinding extends Omit<NativeBinding, 'NativeHandle'> {
  NativeHandle: new (options: NativeHandleOptions | FakeKernelHandleOptions) => NativeHandle;
  testing: NativeTesting;
}

function load(): TestBinding {
  const file = process.env.NLWRAP_TEST_ADDON ?? path.join(root, 'build', 'Release', 'nlwrap_test.so');
  const m = { exports: {} as TestBinding };
  try {
    process.dlopen(m, file);
  } catch (err) {
    throw new Error(
      `cannot load the test build of the addon, ${file} (npm run build:test-addon makes it; npm test does): ${(err as Error).message}`,
    );
  }
  // Its records are decoded by lib/'s decoders, made from the same sources.
  const want = sourceHash(root);
  if (m.exports.sourceHash !== want)
    throw new Error(
      `the test build ${file} is from other sources (${m.exports.sourceHash}, not ${want}): npm run build:test-addon`,
    );
  return m.exports;
}

export const testBinding: TestBinding = load();
