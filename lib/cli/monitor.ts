// nlwrap monitor links|addrs|routes|conntrack|xfrm: one line per update as
// it happens (like `ip monitor`, `conntrack -E`, `ip xfrm monitor`), NDJSON
// with --json; loss markers are printed too, never hidden. Runs until
// SIGINT/SIGTERM (exit 0) or a socket error (exit 1). XFRM keys are never
// printed (they are not enumerable, so --json leaves them out too).
import type { ConntrackUpdate } from '../conntrack-events';
import type { Handle } from '../handle';
import type { Subscription, SubscriptionMarker } from '../subscription';
import type { AddrUpdate, LinkUpdate, RouteUpdate } from '../updates';
import type { XfrmPolicy } from '../types/xfrm';
import type { XfrmUpdate } from '../xfrm-events';
import { NETLINK_NETFILTER, NETLINK_ROUTE, NETLINK_XFRM } from '../constants';
import * as uapi from '../uapi';
import { RTM_DELADDR, RTM_DELLINK, RTM_DELROUTE } from '../uapi';
import { lowerName } from './addrs';
import { FAMILY_FLAG, familyFlag, UsageError, type Command } from './command';
import { describeFlow, filterFromFlags, FILTER_FLAGS } from './conntrack';
import { toJson } from './format';
import { DIRS, mode, proto } from './xfrm';

export const MONITOR_KINDS = ['links', 'addrs', 'routes', 'conntrack', 'xfrm'] as const;
type Kind = (typeof MONITOR_KINDS)[number];
type Update = LinkUpdate | AddrUpdate | RouteUpdate | ConntrackUpdate | XfrmUpdate;

function bufferFlag(value: string | true | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 2 ** 31 - 1)
    return Number(value);
  throw new UsageError(`--buffer-size must be a number of bytes, got '${String(value)}'`);
}

function subscribe(handle: Handle, kind: Kind, flags: Record<string, string | true>): Subscription<Update> {
  const options = {
    listExisting: flags['list-existing'] === true,
    receiveBufferSize: bufferFlag(flags['buffer-size']),
  };
  const filter = filterFromFlags(flags);
  if (kind !== 'conntrack' && (!filter.empty || flags.expect !== undefined))
    throw new UsageError('filter flags and --expect apply to conntrack');
  if (kind === 'conntrack') {
    return handle.conntrackSubscribe({
      ...options,
      family: familyFlag(flags.family),
      groups: flags.expect ? ['expNew', 'expDestroy'] : ['new', 'update', 'destroy'],
      filters: filter.empty ? undefined : [filter],
    });
  }
  if (kind === 'xfrm') return handle.xfrmSubscribe({ ...options, family: familyFlag(flags.family) });
  if (kind === 'links') {
    if (flags.family !== undefined) throw new UsageError('--family applies to addrs and routes');
    return handle.linkSubscribe(options);
  }
  const family = familyFlag(flags.family);
  return kind === 'addrs' ? handle.addrSubscribe({ ...options, family }) : handle.routeSubscribe({ ...options, family });
}

/** One line of text for an update or a marker. */
export function describe(u: Update | SubscriptionMarker): string {
  switch (u.kind) {
    case 'loss':
      return `LOST ${u.reason} ${u.dropped === null ? 'unknown number of' : u.dropped} events`;
    case 'listed':
      return `LISTED ${u.count} existing`;
    case 'link': {
      const l = u.link;
      const what = u.type === RTM_DELLINK ? 'DEL' : 'NEW';
      const bridge = u.family === 0 ? '' : ' (bridge port)';
      return `${what} link ${l.index}: ${l.name} ${l.type} mtu ${l.mtu} state ${lowerName('IF_OPER_', l.operState)}${bridge}`;
    }
    case 'addr': {
      const what = u.type === RTM_DELADDR ? 'DEL' : 'NEW';
      return `${what} addr ${u.linkAddress} dev ${u.linkIndex} scope ${lowerName('RT_SCOPE_', u.scope)}`;
    }
    case 'route': {
      const r = u.route;
      const what = u.type === RTM_DELROUTE ? 'DEL' : 'NEW';
      const via = r.gw ? ` via ${r.gw}` : '';
      const dev = r.linkIndex === null ? '' : ` dev ${r.linkIndex}`;
      return `${what} route ${r.dst}${via}${dev} table ${lowerName('RT_TABLE_', r.table)} proto ${lowerName('RTPROT_', r.protocol)}`;
    }
    case 'conntrack':
      return `[${u.event.toUpperCase()}]${u.table === 2 ? ' expectation' : ''} ${describeFlow(u.flow)}`;
    case 'xfrmState': {
      const s = u.state;
      return `${xfrmVerb(u.type)} sa src ${s.src} dst ${s.dst} proto ${proto(s.proto)} spi 0x${hex(s.spi)} reqid ${s.reqid} mode ${mode(s.mode)}`;
    }
    case 'xfrmPolicy':
      return `${xfrmVerb(u.type)} ${describePolicy(u.policy)}`;
    case 'xfrmExpire': {
      const s = u.state;
      return `EXPIRE ${u.hard ? 'hard' : 'soft'} sa src ${s.src} dst ${s.dst} proto ${proto(s.proto)} spi 0x${hex(s.spi)} reqid ${s.reqid}`;
    }
    case 'xfrmPolicyExpire':
      return `EXPIRE ${u.hard ? 'hard' : 'soft'} ${describePolicy(u.policy)}`;
    case 'xfrmAcquire': {
      const a = u.acquire;
      return `ACQUIRE proto ${proto(a.proto)} src ${a.src} dst ${a.dst} sel src ${a.selector.src} dst ${a.selector.dst} seq ${a.seq}`;
    }
    case 'xfrmFlush':
      return u.type === uapi.XFRM_MSG_FLUSHSA
        ? `FLUSH sa proto ${u.proto === 0 || u.proto === null ? 'any' : proto(u.proto)}`
        : `FLUSH policy type ${u.policyType}`;
  }
}

const hex = (n: number): string => n.toString(16);

function xfrmVerb(type: number): string {
  switch (type) {
    case uapi.XFRM_MSG_UPDSA:
    case uapi.XFRM_MSG_UPDPOLICY:
      return 'UPD';
    case uapi.XFRM_MSG_DELSA:
    case uapi.XFRM_MSG_DELPOLICY:
      return 'DEL';
    default:
      return 'NEW';
  }
}

function describePolicy(p: XfrmPolicy): string {
  return `policy src ${p.src} dst ${p.dst} dir ${DIRS[p.dir] ?? p.dir} priority ${p.priority} index ${p.index}`;
}

export const monitor: Command = {
  name: 'monitor',
  summary: 'print updates as they happen: links, addrs, routes (ip monitor), conntrack (conntrack -E) or xfrm',
  args: `<${MONITOR_KINDS.join('|')}>`,
  protocol: (args) => (args[0] === 'conntrack' ? NETLINK_NETFILTER : args[0] === 'xfrm' ? NETLINK_XFRM : NETLINK_ROUTE),
  flags: {
    family: FAMILY_FLAG,
    'list-existing': { value: false, help: 'print the existing objects first, then a LISTED line' },
    'buffer-size': { value: true, help: 'the socket receive buffer in bytes (SO_RCVBUF)' },
    expect: { value: false, help: 'conntrack: follow the expectations instead of the flows' },
    ...FILTER_FLAGS,
  },
  run() {
    return Promise.reject(new Error('monitor only follows'));
  },
  /** Prints updates until SIGINT/SIGTERM (resolves 0) or a socket error (rejects). */
  async follow(handle, flags, args, out) {
    if (args.length !== 1 || !MONITOR_KINDS.includes(args[0] as Kind))
      throw new UsageError(`monitor needs one of ${MONITOR_KINDS.join(', ')}`);
    const sub = subscribe(handle, args[0] as Kind, flags);
    const stop = (): void => sub.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for await (const batch of sub.batches()) out(batch.map((u) => (flags.json ? toJson(u, 0) : describe(u) + '\n')).join(''));
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  },
};
