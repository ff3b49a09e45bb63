// Type-level proof that the public result types (lib/types/*.ts) are what the
// decoders build (lib/generated/records.ts, generated from the native
// schemas). Not run: compiled, by `npm run lint` (tsconfig.test.json) and by
// test/unit/record-types.test.ts in `npm test`. A field added, removed, renamed or
// retyped on either side fails the compile, naming the field.
//
// A public type may differ from its record only as declared here:
// - `present`: fields the parser always sets, typed without `| null`
//   (test/unit/record-types.test.ts checks them on real records);
// - `narrowed`: a narrower type than the record's (a string union for a
//   string), which must still be assignable to the record's;
// - `children`: the public type of a nested record (each checked on its own).
// Link kinds and port data are checked per variant of the native registry,
// so a kind added in C++ without its public type fails too.
import type * as R from '../../lib/generated/records';
import type { Addr } from '../../lib/types/addr';
import type {
  Bond,
  BondAdInfo,
  BondSlave,
  Bridge,
  BridgePort,
  Device,
  Dummy,
  GenericLink,
  Geneve,
  Gretap,
  Gretun,
  Ifb,
  IPVlan,
  IPVtap,
  Iptun,
  KnownLink,
  Link,
  LinkAttrs,
  LinkSlave,
  LinkStatistics,
  LinkVf,
  LinkXdp,
  Macvlan,
  Macvtap,
  Sittun,
  Tuntap,
  Veth,
  Vlan,
  VlanQosMapping,
  Vrf,
  VrfSlave,
  Vxlan,
} from '../../lib/types/link';
import type { NexthopInfo, Route, RouteCacheInfo, Via } from '../../lib/types/route';
import type {
  XfrmMark,
  XfrmPolicy,
  XfrmPolicyStats,
  XfrmPolicyTmpl,
  XfrmReplayState,
  XfrmReplayStateEsn,
  XfrmSelector,
  XfrmState,
  XfrmStateAlgo,
  XfrmStateEncap,
  XfrmStateLimits,
  XfrmStateStats,
  XfrmExpire,
  XfrmPolicyExpire,
  XfrmAcquire,
  XfrmFlush,
} from '../../lib/types/xfrm';
import type { ConntrackFlow, ConntrackProtoInfo, ConntrackTuple } from '../../lib/types/conntrack';
import type { DeleteOutcome, MatchedIdentities } from '../../lib/decode';
import type { EventRecord } from '../../lib/types/event';

// ---- the checking machinery ----

/** True when A and B are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The fields in which A and B differ. */
type Differ<A, B> = {
  [K in keyof A | keyof B]: K extends keyof A ? (K extends keyof B ? (Same<A[K], B[K]> extends true ? never : K) : K) : K;
}[keyof A | keyof B];

/**
 * Compiles only when A and B are the same type; else the error names the
 * fields that differ ('"same"' is not assignable to '"flags" | "scope"').
 */
export function same<A, B>(ok: Same<A, B> extends true ? 'same' : Differ<A, B> & string): void {
  void ok;
}

/** The record's child type `T` replaced: `X[] | null` becomes `P[] | null`, `X | null` becomes `P | null`. */
type Swap<T, P> = T extends readonly unknown[] ? P[] : T extends null ? null : P;

/**
 * The public type that record R makes: the `Present` fields without null,
 * the `Narrowed` fields of the types given (each must fit the record's), and
 * the `Children` fields of the public types of nested records. (NARROWED's
 * `satisfies` keeps each narrowed type within the record's.)
 */
type Public<
  R,
  Present extends PropertyKey = never,
  Children extends { [K in keyof R]?: unknown } = object,
  Narrowed extends object = object,
> = {
  [K in keyof R]: K extends keyof Narrowed
    ? K extends Present
      ? NonNullable<Narrowed[K]>
      : Narrowed[K]
    : K extends keyof Children
      ? K extends Present
        ? NonNullable<Swap<R[K], Children[K]>>
        : Swap<R[K], Children[K]>
      : K extends Present
        ? NonNullable<R[K]>
        : R[K];
};

type Records = R.RecordsBySchema;

/**
 * Fields the parsers always set (from a message header or a fixed struct,
 * or a flag attribute whose absence means false), by schema: the public
 * types have them without null. test/unit/record-types.test.ts checks them on
 * real records.
 */
export const PRESENT = {
  event: ['msgType', 'flags', 'object'],
  addr: ['flags', 'scope', 'linkIndex', 'family'],
  route_via: ['addrFamily'],
  route_cacheinfo: ['users', 'age', 'expires', 'error', 'used', 'id', 'ts', 'tsage'],
  route_nexthop: ['linkIndex', 'hops', 'flags'],
  route: ['family', 'scope', 'protocol', 'table', 'type', 'tos', 'flags'],
  xfrm_mark: ['value', 'mask'],
  xfrm_limits: ['byteSoft', 'byteHard', 'packetSoft', 'packetHard', 'timeSoft', 'timeHard', 'timeUseSoft', 'timeUseHard'],
  xfrm_state_stats: ['replayWindow', 'replay', 'failed', 'bytes', 'packets', 'addTime', 'useTime'],
  xfrm_policy_stats: ['bytes', 'packets', 'addTime', 'useTime'],
  xfrm_selector: ['family', 'proto', 'dstPort', 'srcPort', 'ifindex', 'user'],
  xfrm_tmpl: ['family', 'proto', 'mode', 'spi', 'reqid', 'optional', 'share', 'aalgos', 'ealgos', 'calgos'],
  xfrm_policy: [
    'family',
    'proto',
    'dstPort',
    'srcPort',
    'ifindex',
    'dir',
    'priority',
    'index',
    'action',
    'flags',
    'share',
    'tmpls',
    'limits',
    'statistics',
  ],
  xfrm_algo: ['name', 'key'],
  xfrm_encap: ['type', 'srcPort', 'dstPort'],
  xfrm_replay: ['oSeq', 'seq', 'bitMap'],
  xfrm_replay_esn: ['bmpLen', 'oSeq', 'seq', 'oSeqHi', 'seqHi', 'replayWindow', 'bmp'],
  xfrm_state: [
    'family',
    'proto',
    'mode',
    'spi',
    'reqid',
    'replayWindow',
    'flags',
    'limits',
    'statistics',
    'selector',
    'esn',
    'dontEncapDscp',
    'oSeqMayWrap',
  ],
  xfrm_expire: ['state', 'hard'],
  xfrm_polexpire: ['policy', 'hard'],
  xfrm_acquire: ['family', 'proto', 'spi', 'seq', 'aalgos', 'ealgos', 'calgos', 'selector', 'policy'],
  ct_protoinfo: ['protocol'],
  ct_flow: ['familyType', 'forward', 'reverse', 'zone'],
  // index is absent on the record that says why the deletes stopped early.
  ct_outcome: [],
  ct_identities: ['count', 'identities'],
  link_stats: [
    'rxPackets',
    'txPackets',
    'rxBytes',
    'txBytes',
    'rxErrors',
    'txErrors',
    'rxDropped',
    'txDropped',
    'multicast',
    'collisions',
    'rxLengthErrors',
    'rxOverErrors',
    'rxCrcErrors',
    'rxFrameErrors',
    'rxFifoErrors',
    'rxMissedErrors',
    'txAbortedErrors',
    'txCarrierErrors',
    'txFifoErrors',
    'txHeartbeatErrors',
    'txWindowErrors',
    'rxCompressed',
    'txCompressed',
  ],
  link: ['index', 'name', 'type', 'flags', 'rawFlags', 'encapType', 'multi', 'allmulti'],
  vlan_qos_mapping: ['from', 'to'],
  geneve: ['flowBased', 'innerProtoInherit'],
  gretun: ['flowBased'],
  gretap: ['flowBased'],
  iptun: ['flowBased'],
} as const satisfies { readonly [S in keyof Records]?: readonly (keyof Records[S])[] };

/** Fields whose public type is narrower than the record's: the values they take, by schema. */
export const NARROWED = {
  ct_protoinfo: { protocol: ['tcp', 'sctp', 'dccp'] },
} as const satisfies { readonly [S in keyof Records]?: { readonly [K in keyof Records[S]]?: readonly Records[S][K][] } };

type PresentIn<S extends keyof Records> = S extends keyof typeof PRESENT ? (typeof PRESENT)[S][number] : never;
type NarrowedIn<S extends keyof Records> = S extends keyof typeof NARROWED
  ? { [K in keyof (typeof NARROWED)[S]]: (typeof NARROWED)[S][K] extends readonly (infer V)[] ? V : never }
  : object;

/** The public type of schema S's records, its nested records' public types given as `Children`. */
type PublicOf<S extends keyof Records, Children extends { [K in keyof Records[S]]?: unknown } = object> = Public<
  Records[S],
  PresentIn<S>,
  Children,
  NarrowedIn<S>
>;

/** Compiles only when T is never; else the error names its members ("geneve.flowBased"). */
export function none<T>(ok: [T] extends [never] ? 'none' : T): void {
  void ok;
}

// ---- addresses and routes ----

same<Addr, PublicOf<'addr'>>('same');
same<Via, PublicOf<'route_via'>>('same');
same<RouteCacheInfo, PublicOf<'route_cacheinfo'>>('same');
same<NexthopInfo, PublicOf<'route_nexthop', { via: Via }>>('same');
same<Route, PublicOf<'route', { multiPath: NexthopInfo; via: Via; cacheInfo: RouteCacheInfo }>>('same');

// ---- xfrm ----

same<XfrmMark, PublicOf<'xfrm_mark'>>('same');
same<XfrmStateLimits, PublicOf<'xfrm_limits'>>('same');
same<XfrmStateStats, PublicOf<'xfrm_state_stats'>>('same');
same<XfrmPolicyStats, PublicOf<'xfrm_policy_stats'>>('same');
same<XfrmSelector, PublicOf<'xfrm_selector'>>('same');
same<XfrmPolicyTmpl, PublicOf<'xfrm_tmpl'>>('same');
same<
  XfrmPolicy,
  PublicOf<'xfrm_policy', { mark: XfrmMark; tmpls: XfrmPolicyTmpl; limits: XfrmStateLimits; statistics: XfrmPolicyStats }>
>('same');
// The key is also there at run time, made non-enumerable by the facade (lib/xfrm.ts).
same<XfrmStateAlgo, PublicOf<'xfrm_algo'>>('same');
same<XfrmStateEncap, PublicOf<'xfrm_encap'>>('same');
same<XfrmReplayState, PublicOf<'xfrm_replay'>>('same');
same<XfrmReplayStateEsn, PublicOf<'xfrm_replay_esn'>>('same');
same<
  XfrmState,
  PublicOf<
    'xfrm_state',
    {
      limits: XfrmStateLimits;
      statistics: XfrmStateStats;
      selector: XfrmSelector;
      mark: XfrmMark;
      outputMark: XfrmMark;
      auth: XfrmStateAlgo;
      crypt: XfrmStateAlgo;
      aead: XfrmStateAlgo;
      comp: XfrmStateAlgo;
      encap: XfrmStateEncap;
      replay: XfrmReplayState;
      replayEsn: XfrmReplayStateEsn;
    }
  >
>('same');

same<XfrmExpire, PublicOf<'xfrm_expire', { state: XfrmState }>>('same');
same<XfrmPolicyExpire, PublicOf<'xfrm_polexpire', { policy: XfrmPolicy }>>('same');
same<XfrmAcquire, PublicOf<'xfrm_acquire', { selector: XfrmSelector; policy: XfrmPolicy }>>('same');
same<XfrmFlush, PublicOf<'xfrm_flush'>>('same');

// ---- conntrack ----

same<ConntrackTuple, PublicOf<'ct_tuple'>>('same');
same<ConntrackProtoInfo, PublicOf<'ct_protoinfo'>>('same');
same<
  ConntrackFlow,
  PublicOf<
    'ct_flow',
    {
      forward: ConntrackTuple;
      reverse: ConntrackTuple;
      protoInfo: ConntrackProtoInfo;
      expectMask: ConntrackTuple;
      expectNatTuple: ConntrackTuple;
    }
  >
>('same');
same<DeleteOutcome, PublicOf<'ct_outcome', { flow: ConntrackFlow }>>('same');
same<MatchedIdentities, PublicOf<'ct_identities'>>('same');

// ---- events ----

same<
  EventRecord,
  PublicOf<
    'event',
    {
      object:
        Link | Addr | Route | ConntrackFlow | XfrmPolicy | XfrmState | XfrmExpire | XfrmPolicyExpire | XfrmAcquire | XfrmFlush;
    }
  >
>('same');

// ---- links ----

same<LinkStatistics, PublicOf<'link_stats'>>('same');
same<LinkXdp, PublicOf<'link_xdp'>>('same');
same<LinkVf, PublicOf<'link_vf'>>('same');
same<LinkAttrs, PublicOf<'link', { vfs: LinkVf; xdp: LinkXdp; statistics: LinkStatistics; slave: LinkSlave }>>('same');

/** The public type of each port kind the addon decodes (link.slave's variants), by slave kind. */
interface PublicSlaves {
  bridge: BridgePort;
  bond: BondSlave;
  vrf: VrfSlave;
}
same<keyof PublicSlaves, keyof R.LinkSlaveVariants>('same');
same<LinkSlave, PublicSlaves[keyof PublicSlaves]>('same');
same<BridgePort, PublicOf<'bridge_port'>>('same');
same<BondSlave, PublicOf<'bond_slave'>>('same');
same<VrfSlave, PublicOf<'vrf_slave'>>('same');

/** The public type of each kind the addon decodes (link.kindData's variants), by IFLA_INFO_KIND. */
interface PublicKinds {
  bond: Bond;
  bridge: Bridge;
  geneve: Geneve;
  gre: Gretun;
  gretap: Gretap;
  ip6gre: Gretun;
  ip6gretap: Gretap;
  ipip: Iptun;
  ipvlan: IPVlan;
  ipvtap: IPVtap;
  macvlan: Macvlan;
  macvtap: Macvtap;
  sit: Sittun;
  tun: Tuntap;
  vlan: Vlan;
  vrf: Vrf;
  vxlan: Vxlan;
}

/** The public types of the records nested in a kind's fields. */
interface KindChildren {
  bond: { adInfo: BondAdInfo };
  vlan: { ingressQosMap: VlanQosMapping; egressQosMap: VlanQosMapping };
}
type ChildrenOf<K extends keyof PublicKinds> = K extends keyof KindChildren ? KindChildren[K] : object;

same<keyof PublicKinds, keyof R.LinkKindDataVariants>('same');
same<BondAdInfo, PublicOf<'bond_ad_info'>>('same');
same<VlanQosMapping, PublicOf<'vlan_qos_mapping'>>('same');
// Every kind: `type` names the kind, the LinkAttrs fields are LinkAttrs',
// and the rest are the kind's record: a link of kind K is decoded as
// LinkRecord & its kind's record (R.Link<Schema>Record), in one object.
none<{ [K in keyof PublicKinds]: K extends PublicKinds[K]['type'] ? never : `${K}.type` }[keyof PublicKinds]>('none');
none<
  {
    [K in keyof PublicKinds]: `${K}.${Differ<
      Omit<PublicKinds[K], 'type'>,
      Omit<LinkAttrs, 'type'> & Public<R.LinkKindDataVariants[K], PresentIn<R.LinkKindDataSchemas[K]>, ChildrenOf<K>>
    > &
      string}`;
  }[keyof PublicKinds]
>('none');

// Links without kind data (no IFLA_INFO_KIND, or a kind with nothing to
// decode: veth, dummy, ifb) are LinkRecord alone: LinkAttrs with `type`
// narrowed. A kind nlwrap does not know is a GenericLink, `type` any string.
same<Omit<Device, 'type'>, Omit<LinkAttrs, 'type'>>('same');
same<Omit<Veth, 'type'>, Omit<LinkAttrs, 'type'>>('same');
same<Omit<Dummy, 'type'>, Omit<LinkAttrs, 'type'>>('same');
same<Omit<Ifb, 'type'>, Omit<LinkAttrs, 'type'>>('same');
same<GenericLink, LinkAttrs>('same');
same<KnownLink, PublicKinds[keyof PublicKinds] | Device | Veth | Dummy | Ifb>('same');
same<Link, KnownLink | GenericLink>('same');
