// Crafted netlink messages: headers, attributes, links, ACK/ERROR/DONE with
// extended ACK. What the fake kernel (fake-kernel.ts) answers with, and the
// input of parser tests that need no addon but the shipped one.

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

/** What an answer copies from its request. */
export interface RequestHeader {
  /** The request message's bytes. */
  raw: Buffer;
  seq: number;
  /** The port id the answer must carry. */
  pid: number;
}

/**
 * NLMSG_ERROR for `req`: error 0 is an ACK. With `extack`, the kernel's
 * layout under NETLINK_CAP_ACK: nlmsgerr (error + the request's header only,
 * NLM_F_CAPPED) followed by NLMSGERR_ATTR_MSG.
 */
export function errorMsg(req: RequestHeader, error: number, extack?: string): Buffer {
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
