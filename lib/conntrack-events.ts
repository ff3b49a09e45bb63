// Conntrack events (what `conntrack -E` follows) and the conntrack watch.
// Handle delegates here. The addon parses each event with the dump's own
// parser and matches the ConntrackFilters natively before any record is
// made (src-native/events_conntrack.cc); most non-matching events are
// dropped by the kernel itself, through a socket filter compiled from the
// same filters (src-native/conntrack_bpf.cc).
import { checkConntrackArgs, checkFilters, checkSubscribeOptions, familyArg, ownOption } from './args';
import type { Calls } from './calls';
import { ConntrackExpectTable, ConntrackTable } from './constants';
import { ConntrackFilter, conditionsOf } from './conntrack-filter';
import { conntrackListFiltered, conntrackTableList } from './conntrack';
import { encodeFilters } from './conntrack-wire';
import type { SubscribeOptions, Subscription } from './subscription';
import type { ConntrackFlow, ConntrackTuple } from './types/conntrack';
import type { EventRecord } from './types/event';
import {
  IPCTNL_MSG_CT_DELETE,
  IPCTNL_MSG_CT_NEW,
  IPCTNL_MSG_EXP_DELETE,
  IPCTNL_MSG_EXP_NEW,
  NFNL_SUBSYS_CTNETLINK_EXP,
  NFNLGRP_CONNTRACK_DESTROY,
  NFNLGRP_CONNTRACK_EXP_DESTROY,
  NFNLGRP_CONNTRACK_EXP_NEW,
  NFNLGRP_CONNTRACK_NEW,
  NFNLGRP_CONNTRACK_UPDATE,
  NLM_F_CREATE,
} from './uapi';
import { Watch, type WatchOptions } from './watch';

type Site = { stack?: string };

/** The events a conntrack subscription can follow, and their multicast groups. */
export const CONNTRACK_EVENT_GROUPS = {
  new: NFNLGRP_CONNTRACK_NEW,
  update: NFNLGRP_CONNTRACK_UPDATE,
  destroy: NFNLGRP_CONNTRACK_DESTROY,
  expNew: NFNLGRP_CONNTRACK_EXP_NEW,
  expDestroy: NFNLGRP_CONNTRACK_EXP_DESTROY,
} as const;
export type ConntrackEventGroup = keyof typeof CONNTRACK_EVENT_GROUPS;

export interface ConntrackSubscribeOptions extends SubscribeOptions {
  /** The events to follow. Default: ['new', 'update', 'destroy'] (flows); 'expNew' and 'expDestroy' are expectations'. */
  groups?: ConntrackEventGroup[];
  /** FAMILY_ALL (the default), FAMILY_V4 or FAMILY_V6. */
  family?: number;
  /**
   * Only events whose flow matches one of these filters (not empty). Matched
   * natively on each event, so the others never become objects. An event
   * carries the flow as it is now: an update that makes a flow stop
   * matching (a new mark) is not delivered, and the kernel sends labels only
   * in the events that change them, so a label condition sees no labels in
   * the others.
   */
  filters?: ConntrackFilter[];
}

export interface ConntrackUpdate {
  kind: 'conntrack';
  /** ConntrackTable (flows) or ConntrackExpectTable (expectations). */
  table: number;
  /** IPCTNL_MSG_CT_NEW / IPCTNL_MSG_CT_DELETE, or IPCTNL_MSG_EXP_NEW / IPCTNL_MSG_EXP_DELETE. */
  type: number;
  /** 'new' (a NEW message with NLM_F_CREATE), 'update' (a NEW message without it) or 'destroy' (DELETE). */
  event: 'new' | 'update' | 'destroy';
  /** The message's NLM_F_* flags. */
  nlFlags: number;
  /**
   * Decoded as conntrackTableList decodes flows. The kernel sends what
   * changed: counters and timestamps only on destroy, the mark only when it
   * is not 0 (or just changed), labels only when they changed, no `use`.
   */
  flow: ConntrackFlow;
}

export function conntrackUpdate(e: EventRecord): ConntrackUpdate {
  const exp = e.msgType >> 8 === NFNL_SUBSYS_CTNETLINK_EXP;
  const type = e.msgType & 0xff;
  const destroy = type === (exp ? IPCTNL_MSG_EXP_DELETE : IPCTNL_MSG_CT_DELETE);
  return {
    kind: 'conntrack',
    table: exp ? ConntrackExpectTable : ConntrackTable,
    type,
    event: destroy ? 'destroy' : e.flags & NLM_F_CREATE ? 'new' : 'update',
    nlFlags: e.flags,
    flow: e.object as ConntrackFlow,
  };
}

/** listExisting: a listed flow as the update that would have created it. */
function existing(table: number, flow: ConntrackFlow): ConntrackUpdate {
  return {
    kind: 'conntrack',
    table,
    type: table === ConntrackExpectTable ? IPCTNL_MSG_EXP_NEW : IPCTNL_MSG_CT_NEW,
    event: 'new',
    nlFlags: 0,
    flow,
  };
}

const DEFAULT_GROUPS: ConntrackEventGroup[] = ['new', 'update', 'destroy'];

/** The filters argument: a non-empty array of ConntrackFilter (matched natively). */
function filtersArg(value: unknown, name: string): ConntrackFilter[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) throw new TypeError(`${name}: options.filters must be an array of ConntrackFilter`);
  const filters = [...(value as unknown[])];
  if (filters.length === 0) throw new RangeError(`${name}: options.filters must not be empty (leave it out for every event)`);
  if (!checkFilters(filters, name))
    throw new TypeError(`${name}: options.filters must be ConntrackFilter instances (matched natively)`);
  return filters as ConntrackFilter[];
}

function groupsArg(value: unknown, name: string): ConntrackEventGroup[] {
  if (value === undefined) return DEFAULT_GROUPS;
  if (!Array.isArray(value)) throw new TypeError(`${name}: options.groups must be an array`);
  const groups = [...(value as unknown[])];
  if (groups.length === 0) throw new RangeError(`${name}: options.groups must not be empty`);
  for (const g of groups)
    if (typeof g !== 'string' || !Object.hasOwn(CONNTRACK_EVENT_GROUPS, g))
      throw new RangeError(
        `${name}: options.groups: unknown group ${String(g)} (${Object.keys(CONNTRACK_EVENT_GROUPS).join(', ')})`,
      );
  if (new Set(groups).size !== groups.length) throw new RangeError(`${name}: options.groups lists a group twice`);
  return groups as ConntrackEventGroup[];
}

/**
 * Conntrack events, as `conntrack -E` prints them, with loss markers
 * (see Subscription). listExisting lists the flows (and expectations, when
 * their groups are followed) that match, after the socket joined.
 *
 * With net.netfilter.nf_conntrack_events = 2 (the kernel's default), the
 * kernel attaches event state only to flows created while some ctnetlink
 * listener exists in the namespace: a flow created before that never sends
 * an update or destroy event (as for `conntrack -E`). Subscribe before the
 * flows to follow are made, or set the sysctl to 1.
 */
export function conntrackSubscribe(c: Calls, site: Site, options?: ConntrackSubscribeOptions): Subscription<ConntrackUpdate> {
  const name = 'conntrackSubscribe';
  const o = checkSubscribeOptions(options, name, ['groups', 'family', 'filters']);
  const groups = groupsArg(ownOption(options, 'groups'), name);
  const family = familyArg(ownOption(options, 'family'), `${name}: options.family`);
  const filters = filtersArg(ownOption(options, 'filters'), name);
  const tables: number[] = [];
  if (groups.some((g) => !g.startsWith('exp'))) tables.push(ConntrackTable);
  if (groups.some((g) => g.startsWith('exp'))) tables.push(ConntrackExpectTable);
  const list = o.listExisting
    ? async (): Promise<ConntrackUpdate[]> => {
        const out: ConntrackUpdate[] = [];
        for (const table of tables) {
          const flows = filters
            ? await conntrackListFiltered(c, site, table, family, filters)
            : await conntrackTableList(c, site, table, family);
          for (const f of flows) out.push(existing(table, f));
        }
        return out;
      }
    : null;
  return c.subscribe(
    name,
    groups.map((g) => CONNTRACK_EVENT_GROUPS[g]),
    o,
    conntrackUpdate,
    list,
    'netfilter',
    { family, filters: filters ? encodeFilters(filters) : undefined },
  );
}

// ---- the watch ----

export interface ConntrackWatchOptions extends WatchOptions {
  /** Only the flows matching one of these filters (not empty). */
  filters?: ConntrackFilter[];
}

function tupleKey(t: ConntrackTuple): string {
  return [t.protocol, t.srcIp, t.dstIp, t.srcPort, t.dstPort, t.icmpType, t.icmpCode, t.icmpId, t.zone].join('|');
}

/**
 * The kernel's identity of a flow: CTA_ID, the original tuple (an
 * expectation's expected tuple) and the zone.
 */
export function conntrackKey(table: number, flow: ConntrackFlow): string {
  const t = table === ConntrackExpectTable ? flow.reverse : flow.forward;
  return `${flow.familyType}|${flow.id ?? ''}|${flow.zone}|${tupleKey(t)}`;
}

/**
 * What can be matched in the kernel on every event of a flow: the
 * conditions that never change while a flow lives (addresses, protocol,
 * ports, zone). Mark, status and labels change, and a flow that stops
 * matching must still reach the watch to be removed: those are matched on
 * the watch's own merged flow. null: every event must come.
 */
function fixedConditions(filters: ConntrackFilter[]): ConntrackFilter[] | null {
  const out: ConntrackFilter[] = [];
  for (const f of filters) {
    if (f.empty) {
      out.push(f); // matches nothing, anywhere
      continue;
    }
    const c = conditionsOf(f);
    const fixed = new ConntrackFilter();
    const k = conditionsOf(fixed);
    for (const [type, net] of c.ipNets) k.ipNets.set(type, net);
    k.proto = c.proto;
    for (const [type, port] of c.ports) k.ports.set(type, port);
    k.zone = c.zone;
    if (fixed.empty) return null;
    out.push(fixed);
  }
  return out;
}

/**
 * An event's flow as a dump would show it: what the kernel left out of the
 * event because it did not change is taken from the flow held before
 * (counters, timestamps, use, labels); a flow's absent mark is 0, which
 * ctnetlink leaves out.
 */
function asListed(table: number, flow: ConntrackFlow, held: ConntrackFlow | undefined): ConntrackFlow {
  const tuple = (t: ConntrackTuple, h: ConntrackTuple | undefined): ConntrackTuple =>
    t.bytes !== null || !h ? t : { ...t, bytes: h.bytes, packets: h.packets };
  return {
    ...flow,
    forward: tuple(flow.forward, held?.forward),
    reverse: tuple(flow.reverse, held?.reverse),
    mark: table === ConntrackTable ? (flow.mark ?? 0) : flow.mark,
    timeStart: flow.timeStart ?? held?.timeStart ?? null,
    timeStop: flow.timeStop ?? held?.timeStop ?? null,
    labels: flow.labels ?? held?.labels ?? null,
    use: flow.use ?? held?.use ?? null,
  };
}

/** watchConntrack's arguments after the table and family: filters, or one options object. */
function watchArgs(args: unknown[], name: string): { filters: ConntrackFilter[] | null; options: WatchOptions | undefined } {
  if (args.length === 1 && !(args[0] instanceof ConntrackFilter) && typeof args[0] === 'object' && args[0] !== null) {
    const options = args[0] as ConntrackWatchOptions;
    return { filters: filtersArg(ownOption(options, 'filters'), name), options };
  }
  if (!checkFilters(args, name)) throw new TypeError(`${name}: filters must be ConntrackFilter instances (matched natively)`);
  return { filters: args.length ? (args as ConntrackFilter[]) : null, options: undefined };
}

/**
 * A live map of the flows (or expectations) of a family that match any of
 * the filters (all when there is none), keyed by conntrackKey (see Watch).
 * Counters, timeouts, timestamps and `use` change without an event: they
 * are refreshed by listings only and are not a change. The kernel sends
 * no events for flows made before anyone listened (nf_conntrack_events = 2,
 * see conntrackSubscribe): such flows are listed, but their changes are
 * seen only at the next listing.
 */
export function watchConntrack(
  c: Calls,
  site: Site,
  table: number,
  family: number,
  args: unknown[],
): Watch<ConntrackFlow, ConntrackUpdate> {
  const name = 'watchConntrack';
  checkConntrackArgs(table, family);
  const { filters, options } = watchArgs(args, name);
  const o = checkSubscribeOptions(options, name, ['filters'], false);
  const exp = table === ConntrackExpectTable;
  const groups = exp
    ? [NFNLGRP_CONNTRACK_EXP_NEW, NFNLGRP_CONNTRACK_EXP_DESTROY]
    : [NFNLGRP_CONNTRACK_NEW, NFNLGRP_CONNTRACK_UPDATE, NFNLGRP_CONNTRACK_DESTROY];
  const fixed = filters ? fixedConditions(filters) : null;
  const subscription = c.subscribe(name, groups, o, conntrackUpdate, null, 'netfilter', {
    family,
    filters: fixed ? encodeFilters(fixed) : undefined,
  });
  const key = (f: ConntrackFlow): string => conntrackKey(table, f);
  const watch: Watch<ConntrackFlow, ConntrackUpdate> = new Watch<ConntrackFlow, ConntrackUpdate>({
    name,
    subscription,
    list: () => (filters ? conntrackListFiltered(c, site, table, family, filters) : conntrackTableList(c, site, table, family)),
    key,
    step: (u) => {
      if (u.table !== table) return null;
      if (u.event === 'destroy') return { object: u.flow, remove: true };
      const flow = asListed(table, u.flow, watch.get(key(u.flow)));
      const matches = filters === null || filters.some((f) => f.matchConntrackFlow(flow));
      return { object: flow, remove: !matches };
    },
    // Refreshed by the kernel without an event; the tuples' only changing
    // fields are their counters (the original tuple is in the key, the
    // reply tuple is fixed once the flow is confirmed).
    volatile: ['timeOut', 'use', 'timeStart', 'timeStop', 'forward', 'reverse'],
  });
  return watch;
}
