// Crafted ctnetlink messages (conntrack flows over NETLINK_NETFILTER): the
// bytes of the conntrack parser tests and of the fake kernel's conntrack
// answers. Attributes big-endian, as the kernel sends them.
import { attr, msg, NLM_F_MULTI } from './netlink-msg';

export const CT_NEW = 1 << 8; // IPCTNL_MSG_CT_NEW
export const CT_DELETE = (1 << 8) | 2; // IPCTNL_MSG_CT_DELETE
export const EXP_NEW = 2 << 8; // IPCTNL_MSG_EXP_NEW

export const nest = (type: number, ...children: Buffer[]): Buffer => attr(type | 0x8000, Buffer.concat(children));
export const be16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
};
export const be32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
};
export const be64 = (v: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v);
  return b;
};
export const ip4 = (s: string): Buffer => Buffer.from(s.split('.').map(Number));

/** struct nfgenmsg. */
export const nfgen = (family: number): Buffer => Buffer.from([family, 0, 0, 0]);

/** A CTA_TUPLE_* nest: CTA_TUPLE_IP (v4) and CTA_TUPLE_PROTO with ports. */
export function tuple(type: number, src: string, dst: string, proto: number, sport: number, dport: number): Buffer {
  return nest(
    type,
    nest(1, attr(1, ip4(src)), attr(2, ip4(dst))),
    nest(2, attr(1, Buffer.from([proto])), attr(2, be16(sport)), attr(3, be16(dport))),
  );
}

export interface FlowSpec {
  sport: number;
  dport: number;
  id: number;
  zone?: number;
}

/** A TCP flow 10.0.0.1:sport -> 10.0.0.2:dport; attributes deliberately not in the kernel's order. */
export function flowMsg(seq: number, pid: number, f: FlowSpec, flags = NLM_F_MULTI): Buffer {
  const attrs = [
    attr(12, be32(f.id)), // CTA_ID first
    tuple(2, '10.0.0.2', '10.0.0.1', 6, f.dport, f.sport), // reply before orig
    tuple(1, '10.0.0.1', '10.0.0.2', 6, f.sport, f.dport),
    attr(3, be32(0xe)), // CTA_STATUS
    attr(7, be32(300)), // CTA_TIMEOUT
    attr(8, be32(0x10)), // CTA_MARK
    nest(9, attr(1, be64(5n)), attr(2, be64(700n))), // CTA_COUNTERS_ORIG
    nest(20, attr(3, be64(0n)), attr(1, be64(123n)), attr(2, be64(456n))), // CTA_TIMESTAMP with a PAD first
  ];
  if (f.zone !== undefined) attrs.push(attr(18, be16(f.zone)));
  return msg({ type: CT_NEW, flags, seq, pid }, Buffer.concat([nfgen(2), ...attrs]));
}

/** The CTA_ID a delete request names, or -1. */
export function flowIdOf(req: Buffer): number {
  const at = req.indexOf(Buffer.from([8, 0, 12, 0]));
  return at >= 0 ? req.readUInt32BE(at + 4) : -1;
}
