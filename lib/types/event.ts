// What a subscription's socket receives, one record per kernel message
// (src-native/events.h): the message type and flags that say what happened,
// the header's family byte, and the changed object, decoded exactly as the
// list calls decode it.
import type { Addr } from './addr';
import type { ConntrackFlow } from './conntrack';
import type { Link } from './link';
import type { Route } from './route';
import type { XfrmAcquire, XfrmExpire, XfrmFlush, XfrmPolicy, XfrmPolicyExpire, XfrmState } from './xfrm';

export interface EventRecord {
  /** The netlink message type (RTM_NEWLINK, RTM_DELROUTE, XFRM_MSG_EXPIRE, conntrack's subsystem << 8 | IPCTNL_MSG_*, ...). */
  msgType: number;
  /** The message's NLM_F_* flags. */
  flags: number;
  /** The family byte of the message's header (rtnetlink, nfnetlink); null where there is none (XFRM). */
  family: number | null;
  object: Link | Addr | Route | ConntrackFlow | XfrmPolicy | XfrmState | XfrmExpire | XfrmPolicyExpire | XfrmAcquire | XfrmFlush;
}
