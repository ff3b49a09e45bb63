// The fake kernel of every fault test: the real C++ core (socket.cc,
// handle.cc, in the test build of the addon, test/helpers/test-binding.ts)
// talks to one end of an AF_UNIX SOCK_DGRAM socketpair instead of the kernel,
// and the test plays the kernel on the other end, answering each request
// message with crafted datagrams (netlink-msg.ts), at once or on a
// schedule. Any netlink protocol (rtnetlink by default; XFRM, netfilter).
import type { NativeHandle } from '../../lib/binding';
import { Handle, type HandleOptions } from '../../lib/handle';
import { done, linkMsg, NLM_F_DUMP_INTR, NLM_F_MULTI, type RequestHeader } from './netlink-msg';
import { testBinding } from './test-binding';

const { testing } = testBinding;

/** One request message (a datagram may hold several: a batch of deletes). */
export interface FakeRequest extends RequestHeader {
  type: number;
  flags: number;
}

/** What a test does with each request: send datagrams with k.send(). */
export type Responder = (req: FakeRequest, k: FakeKernel) => void;

let nextPort = 0x4e4c0000;

export class FakeKernel {
  readonly coreFd: number;
  readonly peerFd: number;
  /** The netlink protocol the core's handle speaks (NETLINK_ROUTE: 0). */
  readonly protocol: number;
  /** The port id the core believes it has (answers must carry it, or 0). */
  readonly port: number;
  readonly requests: FakeRequest[] = [];
  #responder: Responder;
  #timer: NodeJS.Timeout | undefined;
  #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  constructor(responder: Responder, options: { protocol?: number } = {}) {
    [this.coreFd, this.peerFd] = testing.socketpair();
    this.protocol = options.protocol ?? 0;
    this.port = ++nextPort;
    this.#responder = responder;
    this.#timer = setInterval(() => this.#poll(), 1);
  }

  set responder(r: Responder) {
    this.#responder = r;
  }

  /** A raw native handle over the core end (the core takes the fd). */
  native(): NativeHandle {
    return new testBinding.NativeHandle({ fakeKernelFd: this.coreFd, protocol: this.protocol, port: this.port });
  }

  /** A full Handle (retry policy, decoding) whose only socket is the core end. */
  handle(options: Omit<HandleOptions, 'netns' | 'families'> = {}): Handle {
    return new Handle({ ...options, families: [this.protocol] }, () => this.native());
  }

  /** Sends datagrams to the core now; nothing once the core closed its end. */
  send(...datagrams: Buffer[]): void {
    for (const d of datagrams) {
      try {
        testing.send(this.peerFd, d);
      } catch (err) {
        // The core dropped the socket after an earlier datagram (a reset).
        const code = (err as { code?: string }).code;
        if (code === 'ECONNREFUSED' || code === 'ENOTCONN' || code === 'EPIPE') return;
        throw err;
      }
    }
  }

  /** Sends datagrams after `ms` (cancelled by close()). */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#closed) fn();
    }, ms);
    this.#timers.add(t);
  }

  /** Sends one datagram every `ms` until close(): a dump that never ends. */
  every(ms: number, fn: () => Buffer): void {
    const t = setInterval(() => {
      if (this.#closed) return;
      try {
        this.send(fn());
      } catch {
        clearInterval(t); // the core went away
      }
    }, ms);
    this.#timers.add(t);
  }

  /**
   * True when the core has closed its end (a reset socket): an empty
   * datagram, which the core skips, is refused.
   */
  coreClosed(): boolean {
    try {
      testing.send(this.peerFd, Buffer.alloc(0));
      return false;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ECONNREFUSED' || code === 'EPIPE' || code === 'ENOTCONN') return true;
      throw err;
    }
  }

  /** Waits until `n` requests have arrived. */
  async waitRequests(n: number, timeoutMs = 2000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.requests.length < n) {
      if (Date.now() > end) throw new Error(`fake kernel: ${this.requests.length} requests, wanted ${n}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  #poll(): void {
    for (;;) {
      let raw: Buffer | null;
      try {
        raw = testing.recv(this.peerFd);
      } catch {
        return;
      }
      if (raw === null) return;
      for (let off = 0; off + 16 <= raw.length;) {
        const len = raw.readUInt32LE(off);
        const end = len < 16 || off + len > raw.length ? raw.length : off + len;
        const m = raw.subarray(off, end);
        const req: FakeRequest = {
          raw: m,
          type: m.readUInt16LE(4),
          flags: m.readUInt16LE(6),
          seq: m.readUInt32LE(8),
          pid: this.port,
        };
        this.requests.push(req);
        this.#responder(req, this);
        off = (end + 3) & ~3;
      }
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    testing.close(this.peerFd);
  }
}

/** A responder that answers a dump with `n` links in `chunks` datagrams. */
export function dumpOf(
  n: number,
  opts: { chunks?: number; intrOn?: 'middle' | 'done' | 'none'; namePrefix?: string } = {},
): Responder {
  const chunks = opts.chunks ?? 3;
  return (req, k) => {
    const msgs: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const intr = opts.intrOn === 'middle' && i === Math.floor(n / 2) ? NLM_F_DUMP_INTR : 0;
      msgs.push(linkMsg(req.seq, req.pid, i + 1, `${opts.namePrefix ?? 'fk'}${i}`, NLM_F_MULTI | intr));
    }
    const per = Math.max(1, Math.ceil(n / chunks));
    for (let i = 0; i < n; i += per) k.send(Buffer.concat(msgs.slice(i, i + per)));
    k.send(done(req.seq, req.pid, 0, undefined, NLM_F_MULTI | (opts.intrOn === 'done' ? NLM_F_DUMP_INTR : 0)));
  };
}
