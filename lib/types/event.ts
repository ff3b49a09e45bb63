// What a subscription's socket receives, one record per kernel message
// (src-native/events.h): the message type and flags that say what happened,
// the header's family byte, and the changed object, decoded exactly as the
// list calls decode it.
import type { Addr } from './addr';
import type { Link } from './link';
import type { Route } from './route';

export interface EventRecord {
  /** The netlink message type (RTM_NEWLINK, RTM_DELROUTE, ...). */
  msgType: number;
  /** The message's NLM_F_* flags. */
  flags: number;
  /** The family byte of the message's header (rtnetlink); null where there is none. */
  family: number | null;
  object: Link | Addr | Route;
}
