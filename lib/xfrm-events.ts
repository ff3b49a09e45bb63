// XFRM events (what `ip xfrm monitor` prints): policies and SAs added,
// updated and deleted, SA and policy expiry (soft and hard), acquires and
// flushes. Handle delegates here. SAs and policies decode as
// xfrmStateList / xfrmPolicyList's do, algorithm keys hidden the same way.
import { checkSubscribeOptions, familyArg, ownOption } from './args';
import type { Calls } from './calls';
import type { SubscribeOptions, Subscription } from './subscription';
import type { EventRecord } from './types/event';
import type { XfrmAcquire, XfrmExpire, XfrmFlush, XfrmPolicy, XfrmPolicyExpire, XfrmState } from './types/xfrm';
import {
  XFRM_MSG_ACQUIRE,
  XFRM_MSG_DELPOLICY,
  XFRM_MSG_DELSA,
  XFRM_MSG_EXPIRE,
  XFRM_MSG_FLUSHPOLICY,
  XFRM_MSG_FLUSHSA,
  XFRM_MSG_NEWPOLICY,
  XFRM_MSG_NEWSA,
  XFRM_MSG_POLEXPIRE,
  XFRM_MSG_UPDPOLICY,
  XFRM_MSG_UPDSA,
  XFRMNLGRP_ACQUIRE,
  XFRMNLGRP_EXPIRE,
  XFRMNLGRP_POLICY,
  XFRMNLGRP_SA,
} from './uapi';
import { hideKeys, xfrmPolicyList, xfrmStateList } from './xfrm';

type Site = { stack?: string };

/** The events an XFRM subscription can follow, and their multicast groups. */
export const XFRM_EVENT_GROUPS = {
  /** SAs added, updated, deleted, flushed. */
  sa: XFRMNLGRP_SA,
  /** Policies added, updated, deleted, flushed. */
  policy: XFRMNLGRP_POLICY,
  /** SA and policy lifetimes reached (soft and hard). */
  expire: XFRMNLGRP_EXPIRE,
  /** Traffic that needs an SA there is none for. */
  acquire: XFRMNLGRP_ACQUIRE,
} as const;
export type XfrmEventGroup = keyof typeof XFRM_EVENT_GROUPS;

export interface XfrmSubscribeOptions extends SubscribeOptions {
  /** Default: all four. */
  groups?: XfrmEventGroup[];
  /** Only events about objects of this family (an SA's, a policy selector's, an acquired SA's; flushes always), matched natively. Default FAMILY_ALL. */
  family?: number;
}

/** XFRM_MSG_NEWSA, XFRM_MSG_UPDSA or XFRM_MSG_DELSA. */
export interface XfrmStateUpdate {
  kind: 'xfrmState';
  type: number;
  state: XfrmState;
}
/** XFRM_MSG_NEWPOLICY, XFRM_MSG_UPDPOLICY or XFRM_MSG_DELPOLICY. */
export interface XfrmPolicyUpdate {
  kind: 'xfrmPolicy';
  type: number;
  policy: XfrmPolicy;
}
/** XFRM_MSG_EXPIRE: soft (`hard` false) or hard (the SA is gone). */
export interface XfrmExpireUpdate extends XfrmExpire {
  kind: 'xfrmExpire';
  type: number;
}
/** XFRM_MSG_POLEXPIRE. */
export interface XfrmPolicyExpireUpdate extends XfrmPolicyExpire {
  kind: 'xfrmPolicyExpire';
  type: number;
}
/** XFRM_MSG_ACQUIRE. */
export interface XfrmAcquireUpdate {
  kind: 'xfrmAcquire';
  type: number;
  acquire: XfrmAcquire;
}
/** XFRM_MSG_FLUSHSA or XFRM_MSG_FLUSHPOLICY: every SA of `proto` (or policy of `policyType`) is gone. */
export interface XfrmFlushUpdate extends XfrmFlush {
  kind: 'xfrmFlush';
  type: number;
}
export type XfrmUpdate =
  XfrmStateUpdate | XfrmPolicyUpdate | XfrmExpireUpdate | XfrmPolicyExpireUpdate | XfrmAcquireUpdate | XfrmFlushUpdate;

export function xfrmUpdate(e: EventRecord): XfrmUpdate {
  const type = e.msgType;
  switch (type) {
    case XFRM_MSG_NEWSA:
    case XFRM_MSG_UPDSA:
    case XFRM_MSG_DELSA:
      return { kind: 'xfrmState', type, state: hideKeys([e.object as XfrmState])[0] };
    case XFRM_MSG_NEWPOLICY:
    case XFRM_MSG_UPDPOLICY:
    case XFRM_MSG_DELPOLICY:
      return { kind: 'xfrmPolicy', type, policy: e.object as XfrmPolicy };
    case XFRM_MSG_EXPIRE: {
      const x = e.object as XfrmExpire;
      return { kind: 'xfrmExpire', type, state: hideKeys([x.state])[0], hard: x.hard };
    }
    case XFRM_MSG_POLEXPIRE: {
      const x = e.object as XfrmPolicyExpire;
      return { kind: 'xfrmPolicyExpire', type, policy: x.policy, hard: x.hard };
    }
    case XFRM_MSG_ACQUIRE:
      return { kind: 'xfrmAcquire', type, acquire: e.object as XfrmAcquire };
    case XFRM_MSG_FLUSHSA:
    case XFRM_MSG_FLUSHPOLICY: {
      const x = e.object as XfrmFlush;
      return { kind: 'xfrmFlush', type, proto: x.proto, policyType: x.policyType };
    }
  }
  throw new Error(`xfrmSubscribe: unexpected XFRM message type ${type}`);
}

function groupsArg(value: unknown, name: string): XfrmEventGroup[] {
  if (value === undefined) return Object.keys(XFRM_EVENT_GROUPS) as XfrmEventGroup[];
  if (!Array.isArray(value)) throw new TypeError(`${name}: options.groups must be an array`);
  const groups = [...(value as unknown[])];
  if (groups.length === 0) throw new RangeError(`${name}: options.groups must not be empty`);
  for (const g of groups)
    if (typeof g !== 'string' || !Object.hasOwn(XFRM_EVENT_GROUPS, g))
      throw new RangeError(`${name}: options.groups: unknown group ${String(g)} (${Object.keys(XFRM_EVENT_GROUPS).join(', ')})`);
  if (new Set(groups).size !== groups.length) throw new RangeError(`${name}: options.groups lists a group twice`);
  return groups as XfrmEventGroup[];
}

/**
 * XFRM updates, with loss markers (see Subscription). listExisting lists
 * the SAs (group 'sa') and policies (group 'policy') first.
 */
export function xfrmSubscribe(c: Calls, site: Site, options?: XfrmSubscribeOptions): Subscription<XfrmUpdate> {
  const name = 'xfrmSubscribe';
  const o = checkSubscribeOptions(options, name, ['groups', 'family']);
  const groups = groupsArg(ownOption(options, 'groups'), name);
  const family = familyArg(ownOption(options, 'family'), `${name}: options.family`);
  const list = o.listExisting
    ? async (): Promise<XfrmUpdate[]> => {
        const out: XfrmUpdate[] = [];
        if (groups.includes('policy'))
          for (const policy of await xfrmPolicyList(c, site, family))
            out.push({ kind: 'xfrmPolicy', type: XFRM_MSG_NEWPOLICY, policy });
        if (groups.includes('sa'))
          for (const state of await xfrmStateList(c, site, family)) out.push({ kind: 'xfrmState', type: XFRM_MSG_NEWSA, state });
        return out;
      }
    : null;
  return c.subscribe(
    name,
    groups.map((g) => XFRM_EVENT_GROUPS[g]),
    o,
    xfrmUpdate,
    list,
    'xfrm',
    { family },
  );
}
