// nlwrap: Linux netlink for Node.js. Everything is a named export.
import { defaultHandle } from './default-handle';
import type { Link } from './types/link';
import type { XfrmPolicy, XfrmState } from './types/xfrm';

export { Handle, type HandleOptions, type HandleCounters } from './handle';
export { NetlinkError, LinkNotFoundError, DumpInterruptedError, ConntrackDeleteError } from './errors';
export type { Logger, HandleStats, InterruptedDetails } from './retry';
export * from './constants';
export * from './uapi';
export { parse } from './parse';
export type * from './types/link';
export type * from './types/xfrm';

/** Every link in the caller's namespace (default handle). */
export function linkList(): Promise<Link[]> {
  return defaultHandle().linkList();
}

/** One link by name (default handle). */
export function linkByName(name: string): Promise<Link> {
  return defaultHandle().linkByName(name);
}

/** One link by index (default handle). */
export function linkByIndex(index: number): Promise<Link> {
  return defaultHandle().linkByIndex(index);
}

/** Every XFRM policy of `family` (default handle). */
export function xfrmPolicyList(family?: number): Promise<XfrmPolicy[]> {
  return defaultHandle().xfrmPolicyList(family);
}

/** Every XFRM state of `family` (default handle). Keys are non-enumerable. */
export function xfrmStateList(family?: number): Promise<XfrmState[]> {
  return defaultHandle().xfrmStateList(family);
}
