// nlwrap xfrm-policies / xfrm-states: XFRM policies and states as a table or
// JSON. Key material is never printed unless --show-keys is given: keys are
// non-enumerable on the results (lib/xfrm.ts), so --json leaves them out, and
// the table shows algorithm names only.
import { NETLINK_XFRM, XFRM_INF } from '../constants';
import * as uapi from '../uapi';
import type { XfrmPolicy, XfrmState, XfrmStateAlgo } from '../types/xfrm';
import { withKey } from '../xfrm';
import { FAMILY_FLAG, familyFlag, type Command } from './command';
import { nameOf, table, toJson } from './format';

export function proto(p: number): string {
  return (nameOf(uapi, 'IPPROTO_', p) ?? String(p)).toLowerCase();
}

export function mode(m: number): string {
  return (nameOf(uapi, 'XFRM_MODE_', m) ?? String(m)).toLowerCase();
}

export const DIRS: Record<number, string> = {
  [uapi.XFRM_POLICY_IN]: 'in',
  [uapi.XFRM_POLICY_OUT]: 'out',
  [uapi.XFRM_POLICY_FWD]: 'fwd',
};

function mark(m: { value: number; mask: number } | null): string | null {
  return m === null ? null : `0x${m.value.toString(16)}/0x${m.mask.toString(16)}`;
}

function limit(v: bigint): string {
  return v === XFRM_INF ? 'inf' : v.toString();
}

export function formatPolicies(list: XfrmPolicy[]): string {
  return table(
    ['dir', 'src', 'dst', 'proto', 'sport', 'dport', 'action', 'priority', 'index', 'mark', 'ifid', 'tmpls'],
    list.map((p) => ({
      dir: DIRS[p.dir] ?? String(p.dir),
      src: p.src,
      dst: p.dst,
      proto: p.proto ? proto(p.proto) : null,
      sport: p.srcPort || null,
      dport: p.dstPort || null,
      action: p.action === uapi.XFRM_POLICY_BLOCK ? 'block' : 'allow',
      priority: p.priority,
      index: p.index,
      mark: mark(p.mark),
      ifid: p.ifid,
      tmpls:
        p.tmpls
          .map(
            (t) =>
              `${proto(t.proto)}/${mode(t.mode)} ${t.src ?? '-'}->${t.dst ?? '-'} reqid ${t.reqid}${t.optional ? ' optional' : ''}`,
          )
          .join('; ') || null,
    })),
  );
}

function algoText(kind: string, a: XfrmStateAlgo | null, showKeys: boolean): string | null {
  if (a === null) return null;
  return `${kind} ${a.name}${showKeys ? ` 0x${a.key.toString('hex')}` : ''}`;
}

export function formatStates(list: XfrmState[], showKeys: boolean): string {
  return table(
    [
      'src',
      'dst',
      'proto',
      'spi',
      'reqid',
      'mode',
      'algorithms',
      'mark',
      'ifid',
      'bytes',
      'packets',
      'byte-limit',
      'packet-limit',
    ],
    list.map((s) => ({
      src: s.src,
      dst: s.dst,
      proto: proto(s.proto),
      spi: `0x${s.spi.toString(16).padStart(8, '0')}`,
      reqid: s.reqid,
      mode: mode(s.mode),
      algorithms:
        [
          algoText('auth', s.auth, showKeys),
          algoText('enc', s.crypt, showKeys),
          algoText('aead', s.aead, showKeys),
          algoText('comp', s.comp, showKeys),
        ]
          .filter((x) => x !== null)
          .join(', ') || null,
      mark: mark(s.mark),
      ifid: s.ifid,
      bytes: s.statistics.bytes.toString(),
      packets: s.statistics.packets.toString(),
      'byte-limit': limit(s.limits.byteHard),
      'packet-limit': limit(s.limits.packetHard),
    })),
  );
}

/** States for --json: keys stay out unless showKeys (then hex strings). */
export function statesJson(list: XfrmState[], showKeys: boolean): string {
  if (!showKeys) return toJson(list);
  return toJson(
    list.map((s) => ({ ...s, auth: withKey(s.auth), crypt: withKey(s.crypt), aead: withKey(s.aead), comp: withKey(s.comp) })),
  );
}

export const xfrmPolicies: Command = {
  name: 'xfrm-policies',
  summary: 'list XFRM policies (ip xfrm policy)',
  protocol: NETLINK_XFRM,
  flags: { family: FAMILY_FLAG },
  async run(handle, flags) {
    const list = await handle.xfrmPolicyList(familyFlag(flags.family));
    return flags.json ? toJson(list) : formatPolicies(list);
  },
};

export const xfrmStates: Command = {
  name: 'xfrm-states',
  summary: 'list XFRM states (ip -s xfrm state); keys only with --show-keys',
  protocol: NETLINK_XFRM,
  flags: { family: FAMILY_FLAG, 'show-keys': { value: false, help: 'print key material (hidden by default)' } },
  async run(handle, flags) {
    const list = await handle.xfrmStateList(familyFlag(flags.family));
    const showKeys = flags['show-keys'] === true;
    return flags.json ? statesJson(list, showKeys) : formatStates(list, showKeys);
  },
};
