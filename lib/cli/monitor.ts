// nlwrap monitor links|addrs|routes: one line per update as it happens (like
// `ip monitor`), NDJSON with --json; loss markers are printed too, never
// hidden. Runs until SIGINT/SIGTERM (exit 0) or a socket error (exit 1).
import type { Handle } from '../handle';
import type { Subscription, SubscriptionMarker } from '../subscription';
import type { AddrUpdate, LinkUpdate, RouteUpdate } from '../updates';
import { NETLINK_ROUTE } from '../constants';
import { RTM_DELADDR, RTM_DELLINK, RTM_DELROUTE } from '../uapi';
import { lowerName } from './addrs';
import { FAMILY_FLAG, familyFlag, UsageError, type Command } from './command';
import { toJson } from './format';

export const MONITOR_KINDS = ['links', 'addrs', 'routes'] as const;
type Kind = (typeof MONITOR_KINDS)[number];
type Update = LinkUpdate | AddrUpdate | RouteUpdate;

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
  }
}

export const monitor: Command = {
  name: 'monitor',
  summary: 'print updates as they happen: links, addrs or routes (ip monitor)',
  args: `<${MONITOR_KINDS.join('|')}>`,
  protocol: NETLINK_ROUTE,
  flags: {
    family: FAMILY_FLAG,
    'list-existing': { value: false, help: 'print the existing objects first, then a LISTED line' },
    'buffer-size': { value: true, help: 'the socket receive buffer in bytes (SO_RCVBUF)' },
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
