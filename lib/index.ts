// nlwrap: Linux netlink for Node.js. Everything is a named export.
import { defaultHandle } from './default-handle';
import type { Link } from './types/link';
import type { ConntrackFlow, CustomConntrackFilter } from './types/conntrack';
import type { ConntrackFilter } from './conntrack-filter';

export { Handle, type HandleOptions, type HandleCounters } from './handle';
export { NetlinkError, LinkNotFoundError, DumpInterruptedError, ConntrackDeleteError } from './errors';
export type { Logger, HandleStats, InterruptedDetails } from './retry';
export * from './constants';
export * from './uapi';
export { parse } from './parse';
export type * from './types/link';
export type * from './types/conntrack';
export { ConntrackFilter } from './conntrack-filter';

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

/** Every flow or expectation of a conntrack table (default handle). */
export function conntrackTableList(table: number, family: number): Promise<ConntrackFlow[]> {
  return defaultHandle().conntrackTableList(table, family);
}

/** Deletes the flows matching any filter; resolves to the number deleted (default handle). */
export function conntrackDeleteFilters(table: number, family: number, ...filters: CustomConntrackFilter[]): Promise<number> {
  return defaultHandle().conntrackDeleteFilters(table, family, ...filters);
}

/** The flows conntrackDeleteFilters would delete, without deleting (default handle). */
export function conntrackListFiltered(table: number, family: number, ...filters: ConntrackFilter[]): Promise<ConntrackFlow[]> {
  return defaultHandle().conntrackListFiltered(table, family, ...filters);
}
