// nlwrap conntrack / conntrack-delete: list a conntrack table, or delete the
// flows matching one filter built from flags (--dry-run prints them instead).
import { ConntrackFilter } from '../conntrack-filter';
import {
  ConntrackExpectTable,
  ConntrackOrigDstIP,
  ConntrackOrigDstPort,
  ConntrackOrigSrcIP,
  ConntrackReplyAnyIP,
  ConntrackTable,
  NETLINK_NETFILTER,
} from '../constants';
import type { ConntrackFlow } from '../types/conntrack';
import * as uapi from '../uapi';
import { FAMILY_FLAG, familyFlag, UsageError, type Command } from './command';
import { flagNames, nameOf, table, toJson } from './format';

const PROTOCOLS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, dccp: 33, gre: 47, icmpv6: 58, sctp: 132, udplite: 136 };

function protoName(p: number | null): string {
  if (p === null) return '-';
  return Object.keys(PROTOCOLS).find((k) => PROTOCOLS[k] === p) ?? String(p);
}

function rows(list: ConntrackFlow[]): string {
  return table(
    [
      'proto',
      'src',
      'dst',
      'sport',
      'dport',
      'reply-src',
      'reply-dst',
      'reply-sport',
      'reply-dport',
      'state',
      'status',
      'mark',
      'zone',
      'timeout',
      'helper',
      'id',
    ],
    list.map((f) => ({
      proto: protoName(f.forward.protocol),
      src: f.forward.srcIp,
      dst: f.forward.dstIp,
      sport: f.forward.srcPort ?? f.forward.icmpType,
      dport: f.forward.dstPort ?? f.forward.icmpCode,
      'reply-src': f.reverse.srcIp,
      'reply-dst': f.reverse.dstIp,
      'reply-sport': f.reverse.srcPort ?? f.reverse.icmpType,
      'reply-dport': f.reverse.dstPort ?? f.reverse.icmpCode,
      state:
        f.protoInfo?.state == null
          ? null
          : nameOf(
              uapi,
              f.protoInfo.protocol === 'tcp' ? 'TCP_CONNTRACK_' : f.protoInfo.protocol === 'sctp' ? 'SCTP_CONNTRACK_' : 'DCCP_',
              f.protoInfo.state,
            ),
      status: f.status === null ? null : flagNames(uapi, 'IPS_', f.status).join(',') || '0',
      mark: f.mark,
      zone: f.zone,
      timeout: f.timeOut,
      helper: f.helper,
      id: f.id,
    })),
  );
}

export const conntrack: Command = {
  name: 'conntrack',
  summary: 'list conntrack flows or expectations (conntrack -L)',
  protocol: NETLINK_NETFILTER,
  flags: {
    family: FAMILY_FLAG,
    expect: { value: false, help: 'list the expectation table' },
  },
  async run(handle, flags) {
    const list = await handle.conntrackTableList(flags.expect ? ConntrackExpectTable : ConntrackTable, familyFlag(flags.family));
    return flags.json ? toJson(list) : rows(list);
  },
};

function addIpOrNet(f: ConntrackFilter, type: number, value: string): void {
  if (value.includes('/')) f.addIpNet(type, value);
  else f.addIp(type, value);
}

function integer(value: string, what: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new UsageError(`${what} must be an integer, got '${value}'`);
  return n;
}

/** The conntrack-delete flags that make a filter (also `monitor conntrack`'s). */
export const FILTER_FLAGS: Record<string, { value: boolean; help: string }> = {
  'orig-src': { value: true, help: 'original source IP or CIDR' },
  'orig-dst': { value: true, help: 'original destination IP or CIDR' },
  'reply-any': { value: true, help: 'reply source or destination IP or CIDR' },
  proto: { value: true, help: `protocol: ${Object.keys(PROTOCOLS).join(', ')} or a number` },
  dport: { value: true, help: 'original destination port (needs --proto)' },
  mark: { value: true, help: 'VALUE or VALUE/MASK (numbers, 0x... allowed)' },
  zone: { value: true, help: 'conntrack zone' },
};

/** The filter the FILTER_FLAGS give (empty when none is given). */
export function filterFromFlags(flags: Record<string, string | true>): ConntrackFilter {
  const f = new ConntrackFilter();
  const v = (k: string): string | undefined => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
  if (v('orig-src')) addIpOrNet(f, ConntrackOrigSrcIP, v('orig-src') as string);
  if (v('orig-dst')) addIpOrNet(f, ConntrackOrigDstIP, v('orig-dst') as string);
  if (v('reply-any')) addIpOrNet(f, ConntrackReplyAnyIP, v('reply-any') as string);
  const proto = v('proto');
  if (proto !== undefined) f.addProtocol(PROTOCOLS[proto.toLowerCase()] ?? integer(proto, '--proto'));
  const dport = v('dport');
  if (dport !== undefined) {
    if (proto === undefined) throw new UsageError('--dport needs --proto');
    f.addPort(ConntrackOrigDstPort, integer(dport, '--dport'));
  }
  const mark = v('mark');
  if (mark !== undefined) {
    const [value, mask] = mark.split('/');
    f.addMark(integer(value, '--mark value'), mask === undefined ? undefined : integer(mask, '--mark mask'));
  }
  const zone = v('zone');
  if (zone !== undefined) f.addZone(integer(zone, '--zone'));
  return f;
}

/** One line for a flow, as `conntrack -E` prints it (without the event). */
export function describeFlow(f: ConntrackFlow): string {
  const t = (x: ConntrackFlow['forward']): string =>
    [
      `src=${x.srcIp}`,
      `dst=${x.dstIp}`,
      x.srcPort !== null ? `sport=${x.srcPort} dport=${x.dstPort}` : '',
      x.icmpType !== null ? `type=${x.icmpType} code=${x.icmpCode} id=${x.icmpId}` : '',
    ]
      .filter(Boolean)
      .join(' ');
  const state =
    f.protoInfo?.state == null
      ? ''
      : ` ${nameOf(uapi, f.protoInfo.protocol === 'tcp' ? 'TCP_CONNTRACK_' : f.protoInfo.protocol === 'sctp' ? 'SCTP_CONNTRACK_' : 'DCCP_', f.protoInfo.state)}`;
  const extra = [
    f.mark !== null ? `mark=${f.mark}` : '',
    f.zone ? `zone=${f.zone}` : '',
    f.helper !== null ? `helper=${f.helper}` : '',
    f.id !== null ? `id=${f.id}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return `${protoName(f.forward.protocol)}${state} ${t(f.forward)} ${t(f.reverse)}${extra ? ` ${extra}` : ''}`;
}

export const conntrackDelete: Command = {
  name: 'conntrack-delete',
  summary: 'delete the conntrack flows matching every given condition (conntrack -D)',
  protocol: NETLINK_NETFILTER,
  flags: {
    family: FAMILY_FLAG,
    ...FILTER_FLAGS,
    'dry-run': { value: false, help: 'print the flows that would be deleted, delete nothing' },
  },
  async run(handle, flags) {
    const f = filterFromFlags(flags);
    if (f.empty) throw new UsageError('give at least one condition (an empty filter matches nothing)');
    const fam = familyFlag(flags.family);
    if (flags['dry-run']) {
      const list = await handle.conntrackListFiltered(ConntrackTable, fam, f);
      if (flags.json) return toJson(list);
      return `${rows(list)}${list.length} flow(s) would be deleted\n`;
    }
    const n = await handle.conntrackDeleteFilters(ConntrackTable, fam, f);
    return flags.json ? toJson({ deleted: n }) : `${n} flow(s) deleted\n`;
  },
};
