// XFRM results: vishvananda/netlink v1.3's XfrmPolicy, XfrmPolicyTmpl,
// XfrmState, XfrmStateAlgo, XfrmStateEncap, XfrmStateLimits, XfrmStateStats,
// XfrmMark and XfrmReplayState in lowerCamelCase, plus what the kernel sends
// that vishvananda drops (families, policy lifetimes and type, templates'
// algorithm masks, compression, the ESN replay state, extra flags as a
// number). Enumerated values are the kernel's numbers (XFRM_POLICY_*,
// XFRM_MODE_*, IPPROTO_*, XFRM_STATE_* bits); absent attributes are null.
// Addresses are decided by each struct's own family field.

/** A mark and its mask (XFRMA_MARK; for outputMark XFRMA_SET_MARK/_MASK, as the kernel sent them). */
export interface XfrmMark {
  value: number;
  mask: number;
}

/** Configured limits. XFRM_INF (2^64-1) means no limit. Times are seconds. */
export interface XfrmStateLimits {
  byteSoft: bigint;
  byteHard: bigint;
  packetSoft: bigint;
  packetHard: bigint;
  timeSoft: bigint;
  timeHard: bigint;
  timeUseSoft: bigint;
  timeUseHard: bigint;
}

/** A state's current lifetime and replay counters. addTime/useTime: Unix seconds (useTime 0 = never used). */
export interface XfrmStateStats {
  replayWindow: number;
  replay: number;
  /** Integrity check failures. */
  failed: number;
  bytes: bigint;
  packets: bigint;
  addTime: bigint;
  useTime: bigint;
}

/** A policy's current lifetime. */
export interface XfrmPolicyStats {
  bytes: bigint;
  packets: bigint;
  addTime: bigint;
  useTime: bigint;
}

/** A state's selector (vishvananda: XfrmState.Selector). */
export interface XfrmSelector {
  /** The selector's own family; 0 (AF_UNSPEC) when the SA was added without one: dst/src are then read with the SA's family. */
  family: number;
  /** CIDR, e.g. '10.1.0.0/24'. */
  dst: string | null;
  src: string | null;
  /** IPPROTO_*, 0 = any. */
  proto: number;
  /** Host byte order; 0 = any. For ICMP, srcPort is the type and dstPort the code. */
  dstPort: number;
  srcPort: number;
  ifindex: number;
  /** The selector's uid. */
  user: number;
}

/** A policy template (struct xfrm_user_tmpl). */
export interface XfrmPolicyTmpl {
  /** The template's own family, which decides dst/src. */
  family: number;
  dst: string | null;
  src: string | null;
  /** IPPROTO_ESP / IPPROTO_AH / IPPROTO_COMP / ... */
  proto: number;
  /** XFRM_MODE_* */
  mode: number;
  spi: number;
  reqid: number;
  /** 1 = optional (ip: level use), 0 = required. */
  optional: number;
  /** XFRM_SHARE_* */
  share: number;
  /** Allowed algorithm bitmasks (ip: auth-mask, enc-mask, comp-mask). */
  aalgos: number;
  ealgos: number;
  calgos: number;
}

export interface XfrmPolicy {
  /** The selector's family (AF_INET / AF_INET6). */
  family: number;
  /** Selector destination and source, as CIDR strings. */
  dst: string | null;
  src: string | null;
  /** Selector protocol (IPPROTO_*), 0 = any. */
  proto: number;
  /** Selector ports in host byte order, 0 = any. */
  dstPort: number;
  srcPort: number;
  ifindex: number;
  /** XFRM_POLICY_IN / _OUT / _FWD (socket policies: +3). */
  dir: number;
  priority: number;
  index: number;
  /** XFRM_POLICY_ALLOW / XFRM_POLICY_BLOCK */
  action: number;
  /** XFRM_POLICY_LOCALOK / XFRM_POLICY_ICMP bits. */
  flags: number;
  /** XFRM_SHARE_* */
  share: number;
  /** XFRMA_IF_ID, null when absent. */
  ifid: number | null;
  mark: XfrmMark | null;
  /** Templates in the kernel's order; empty when there are none. */
  tmpls: XfrmPolicyTmpl[];
  limits: XfrmStateLimits;
  statistics: XfrmPolicyStats;
  /** XFRM_POLICY_TYPE_MAIN / _SUB (XFRMA_POLICY_TYPE), null when the kernel did not send it. */
  policyType: number | null;
}

/**
 * An algorithm with its key. `key` is key material: it is a non-enumerable
 * property, so JSON.stringify, console.log and object spread leave it out;
 * read it explicitly (`state.auth.key`).
 */
export interface XfrmStateAlgo {
  name: string;
  key: Buffer;
  /** Authentication only (XFRMA_ALG_AUTH_TRUNC), in bits; null otherwise. */
  truncateLen: number | null;
  /** AEAD only, in bits; null otherwise. */
  icvLen: number | null;
}

/** ESP-in-UDP encapsulation (XFRMA_ENCAP). */
export interface XfrmStateEncap {
  /** UDP_ENCAP_ESPINUDP_NON_IKE (1) / UDP_ENCAP_ESPINUDP (2). */
  type: number;
  /** Host byte order. */
  srcPort: number;
  dstPort: number;
  originalAddress: string | null;
}

/** XFRMA_REPLAY_VAL: the legacy (32-packet) anti-replay state. */
export interface XfrmReplayState {
  oSeq: number;
  seq: number;
  bitMap: number;
}

/** XFRMA_REPLAY_ESN_VAL: sent instead of XFRMA_REPLAY_VAL with ESN or a replay window > 32. */
export interface XfrmReplayStateEsn {
  /** Bitmap length in 32-bit words. */
  bmpLen: number;
  oSeq: number;
  seq: number;
  oSeqHi: number;
  seqHi: number;
  replayWindow: number;
  /** bmpLen 32-bit words in host byte order (readUInt32LE on x86). */
  bmp: Buffer;
}

export interface XfrmState {
  /** The SA's family, which decides dst/src/encap address. */
  family: number;
  dst: string | null;
  src: string | null;
  /** IPPROTO_ESP / IPPROTO_AH / IPPROTO_COMP / ... */
  proto: number;
  /** XFRM_MODE_* */
  mode: number;
  spi: number;
  reqid: number;
  /** xfrm_usersa_info.replay_window (0 when the window is in replayEsn). */
  replayWindow: number;
  /** XFRM_STATE_* bits. */
  flags: number;
  limits: XfrmStateLimits;
  statistics: XfrmStateStats;
  selector: XfrmSelector;
  mark: XfrmMark | null;
  outputMark: XfrmMark | null;
  /** XFRM_SA_DIR_IN / _OUT (kernel 6.10+), null when absent. */
  saDir: number | null;
  ifid: number | null;
  pcpunum: number | null;
  auth: XfrmStateAlgo | null;
  crypt: XfrmStateAlgo | null;
  aead: XfrmStateAlgo | null;
  comp: XfrmStateAlgo | null;
  encap: XfrmStateEncap | null;
  /** flags & XFRM_STATE_ESN */
  esn: boolean;
  /** extraFlags & XFRM_SA_XFLAG_DONT_ENCAP_DSCP */
  dontEncapDscp: boolean;
  /** extraFlags & XFRM_SA_XFLAG_OSEQ_MAY_WRAP */
  oSeqMayWrap: boolean;
  /** XFRMA_SA_EXTRA_FLAGS, null when absent. */
  extraFlags: number | null;
  replay: XfrmReplayState | null;
  replayEsn: XfrmReplayStateEsn | null;
  /** XFRMA_TFCPAD, null when absent. */
  tfcpad: number | null;
}

/** XFRM_MSG_EXPIRE: an SA reached a soft limit (`hard` false: it is dying, time to rekey) or a hard one (`hard` true: the kernel removed it). */
export interface XfrmExpire {
  /** The SA as the kernel sends it in the expire message: no algorithms. */
  state: XfrmState;
  hard: boolean;
}

/** XFRM_MSG_POLEXPIRE: a policy reached a soft or hard (removed) lifetime limit. */
export interface XfrmPolicyExpire {
  policy: XfrmPolicy;
  hard: boolean;
}

/**
 * XFRM_MSG_ACQUIRE: outbound traffic matched a policy whose template has no
 * SA; the kernel asks a key manager for one (and holds a larval SA meanwhile).
 */
export interface XfrmAcquire {
  /** The wanted SA's family (its template's), which decides dst/src. */
  family: number;
  dst: string | null;
  src: string | null;
  /** IPPROTO_ESP, IPPROTO_AH, IPPROTO_COMP. */
  proto: number;
  /** 0: the key manager picks it. */
  spi: number;
  /** The acquire's sequence number, to answer with (the SA's km seq). */
  seq: number;
  aalgos: number;
  ealgos: number;
  calgos: number;
  /** The packet's flow, as a selector. */
  selector: XfrmSelector;
  /** The policy whose template wants the SA (dir XFRM_POLICY_OUT). */
  policy: XfrmPolicy;
}

/** XFRM_MSG_FLUSHSA (`proto`: the protocol flushed; 0 or IPSEC_PROTO_ANY: all) or XFRM_MSG_FLUSHPOLICY (`policyType`). */
export interface XfrmFlush {
  proto: number | null;
  policyType: number | null;
}
