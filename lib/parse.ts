// The parsers on bytes: a Buffer of netlink messages (a captured reply, a
// fuzzer's input) in, the same objects as the list calls out. Malformed bytes
// throw a NetlinkError with code 'EBADMSG'; they never crash the process.
import { binding } from './binding';
import { decodeRecordsSync, type Root, type Roots } from './decode';
import { fromNative } from './errors';
import type { Link } from './types/link';
import type { Addr } from './types/addr';
import type { Route } from './types/route';
import type { XfrmPolicy, XfrmState } from './types/xfrm';
import { hideKeys } from './xfrm';
import type { ConntrackFlow } from './types/conntrack';
import { conntrackUpdate, type ConntrackUpdate } from './conntrack-events';
import { xfrmUpdate, type XfrmUpdate } from './xfrm-events';

function run<K extends Root>(parser: string, root: K, buf: Uint8Array): Roots[K][] {
  if (!(buf instanceof Uint8Array)) throw new TypeError(`parse.${parser}: buf must be a Buffer or Uint8Array`);
  try {
    return decodeRecordsSync(binding.parse(parser, buf), root);
  } catch (err) {
    throw fromNative(err, `parse.${parser}`);
  }
}

export const parse = {
  links: (buf: Uint8Array): Link[] => run('links', 'link', buf),
  addrs: (buf: Uint8Array): Addr[] => run('addrs', 'addr', buf),
  routes: (buf: Uint8Array): Route[] => run('routes', 'route', buf),
  xfrmPolicies: (buf: Uint8Array): XfrmPolicy[] => run('xfrmPolicies', 'xfrm_policy', buf),
  /** Keys are non-enumerable, as from xfrmStateList. */
  xfrmStates: (buf: Uint8Array): XfrmState[] => hideKeys(run('xfrmStates', 'xfrm_state', buf)),
  /** IPCTNL_MSG_CT_NEW flows and IPCTNL_MSG_EXP_NEW expectations. */
  conntrack: (buf: Uint8Array): ConntrackFlow[] => run('conntrack', 'ct_flow', buf),
  /** XFRM event messages (what xfrmSubscribe yields), keys non-enumerable. */
  xfrmEvents: (buf: Uint8Array): XfrmUpdate[] => run('xfrmEvents', 'event', buf).map(xfrmUpdate),
  /** Conntrack event messages (what conntrackSubscribe yields). */
  conntrackEvents: (buf: Uint8Array): ConntrackUpdate[] => run('conntrackEvents', 'event', buf).map(conntrackUpdate),
};
