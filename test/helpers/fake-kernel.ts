// The fake kernel of every fault test: the real C++ core (socket.cc,
// handle.cc, in the test build of the addon, test/helpers/test-binding.ts)
// talks to one end of an AF_UNIX SOCK_DGRAM socketpair instead of the kernel,
// and the test plays the kernel on the other end, answering each request
// message with crafted datagrams, at once or on a schedule. Any netlink
// protocol (rtnetlink by default; XFRM, netfilter). Also builders for netlink
// messages (headers, attributes, links, ACK/ERROR/DONE with extended ACK).
import type { NativeHandle } from '../../lib/binding';
import { Handle, type HandleOptions } from '../../lib/handle';
import { testBinding } from './test-binding';

const { testing } = testBinding;

export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;
export const RTM_NEWLINK = 16;
export const RTM_GETLINK = 18;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_DUMP = 0x300;
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;
export const NLMSGERR_ATTR_MSG = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_IFALIAS = 20;

const align4 = (n: number): number => (n + 3) & ~3;

/** One attribute (header + payload, padded to 4). */
export function attr(type: number, payload: Buffer | string | number): Buffer {
  let p: Buffer;
  if (typeof payload === 'string') p = Buffer.from(payload + '\0');
  else if (typeof payload === 'number') {
    p = Buffer.alloc(4);
    p.writeUInt32LE(payload);
  } else p = payload;
  const b = Buffer.alloc(align4(4 + p.length));
  b.writeUInt16LE(4 + p.length, 0);
  b.writeUInt16LE(type, 2);
  p.copy(b, 4);
  return b;
}

export interface Header {
  type: number;
  flags?: number;
  seq: number;
  pid: number;
}

/** One netlink message, padded to 4; `len` overrides nlmsg_len (lies). */
export function msg(h: Header, payload: Buffer = Buffer.alloc(0), len?: number): Buffer {
  const b = Buffer.alloc(align4(16 + payload.length));
  b.writeUInt32LE(len ?? 16 + payload.length, 0);
  b.writeUInt16LE(h.type, 4);
  b.writeUInt16LE(h.flags ?? 0, 6);
  b.writeUInt32LE(h.seq >>> 0, 8);
  b.writeUInt32LE(h.pid >>> 0, 12);
  payload.copy(b, 16);
  return b;
}

/** ifinfomsg (16 bytes) + IFLA_IFNAME + IFLA_MTU + extra attributes. */
export function linkPayload(index: number, name: string, mtu = 1500, extra: Buffer[] = []): Buffer {
  const ifi = Buffer.alloc(16);
  ifi.writeInt32LE(index, 4);
  return Buffer.concat([ifi, attr(IFLA_IFNAME, name), attr(IFLA_MTU, mtu), ...extra]);
}

export function linkMsg(
  seq: number,
  pid: number,
  index: number,
  name: string,
  flags = NLM_F_MULTI,
  extra: Buffer[] = [],
): Buffer {
  return msg({ type: RTM_NEWLINK, flags, seq, pid }, linkPayload(index, name, 1500, extra));
}

/** NLMSG_DONE carrying `error` (0 or -errno) and an optional extack text. */
export function done(seq: number, pid: number, error = 0, extack?: string, flags = NLM_F_MULTI): Buffer {
  const e = Buffer.alloc(4);
  e.writeInt32LE(error);
  const parts: Buffer[] = [e];
  if (extack !== undefined) parts.push(attr(NLMSGERR_ATTR_MSG, extack));
  return msg({ type: NLMSG_DONE, flags: flags | (extack !== undefined ? NLM_F_ACK_TLVS : 0), seq, pid }, Buffer.concat(parts));
}

/**
 * NLMSG_ERROR for `req`: error 0 is an ACK. With `extack`, the kernel's
 * layout under NETLINK_CAP_ACK: nlmsgerr (error + the request's header only,
 * NLM_F_CAPPED) followed by NLMSGERR_ATTR_MSG.
 */
export function errorMsg(req: FakeRequest, error: number, extack?: string): Buffer {
  const e = Buffer.alloc(4);
  e.writeInt32LE(error);
  const parts = [e, req.raw.subarray(0, 16)];
  let flags = NLM_F_CAPPED;
  if (extack !== undefined) {
    parts.push(attr(NLMSGERR_ATTR_MSG, extack));
    flags |= NLM_F_ACK_TLVS;
  }
  return msg({ type: NLMSG_ERROR, flags, seq: req.seq, pid: req.pid }, Buffer.concat(parts));
}

/** One request message (a datagram may hold several: a batch of deletes). */
export interface FakeRequest {
  raw: Buffer;
  type: number;
  flags: number;
  seq: number;
  /** The port id the answer must carry (the fake kernel's idea of the core's port). */
  pid: number;
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
