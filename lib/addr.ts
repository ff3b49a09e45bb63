// Addresses (vishvananda's addr_linux.go): the list, the stream, the
// subscription and the watch. Handle delegates here.
import { checkListStreamOptions, checkSubscribeOptions, familyArg, kernelFilterArg, linkIndexArg, ownOption } from './args';
import { groupsOf, type Calls } from './calls';
import { FAMILY_ALL } from './constants';
import type { DumpStream, StreamOptions } from './dump-stream';
import { LinkNotFoundError, NetlinkError } from './errors';
import { linkExists } from './link';
import { addrMatches } from './route-filter';
import type { SubscribeOptions, Subscription } from './subscription';
import type { Addr, ListOptions } from './types/addr';
import type { Link } from './types/link';
import { RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR } from './uapi';
import { addrUpdate, existingAddr, type AddrUpdate } from './updates';
import { Watch, type WatchOptions } from './watch';

type Site = { stack?: string };

/**
 * Addresses of one link (a Link or an ifindex) or of every link (null), of
 * one family (FAMILY_V4 / FAMILY_V6) or all (FAMILY_ALL). The kernel
 * filters by family, and by link when it supports strict dump checking
 * (4.20+); otherwise the link filter runs here, with the same result.
 * A link that does not exist rejects with LinkNotFoundError.
 */
export async function addrList(
  c: Calls,
  site: Site,
  link: Link | number | null,
  family: number = FAMILY_ALL,
  options?: ListOptions,
): Promise<Addr[]> {
  const index = linkIndexArg(link);
  const fam = familyArg(family);
  const kernelFilter = kernelFilterArg(options);
  let kernelFiltered = false;
  let all: Addr[];
  try {
    all = await c.dump('addrList', 'addr.dump', { family: fam, index, kernelFilter }, site, (r) => {
      kernelFiltered = r.result === 1;
    });
  } catch (err) {
    if (index !== 0 && err instanceof NetlinkError && err.code === 'ENODEV')
      throw new LinkNotFoundError(`index ${index}`, 'addrList');
    throw err;
  }
  // In place, and not at all when there is nothing to filter: `all` is this
  // call's own array, and 10 000 addresses need no second one.
  if (index !== 0 || fam !== FAMILY_ALL) {
    let n = 0;
    for (const a of all) if (addrMatches(a, index, fam)) all[n++] = a;
    all.length = n;
  }
  // A strict kernel answers ENODEV for a missing link; without it, an empty
  // answer must be checked so both paths agree.
  if (index !== 0 && all.length === 0 && !kernelFiltered) await linkExists(c, 'addrList', index);
  return all;
}

/** addrList as a stream of batches (a missing link ends it empty rather than with LinkNotFoundError). */
export function addrStream(
  c: Calls,
  site: Site,
  link: Link | number | null,
  family: number = FAMILY_ALL,
  options?: ListOptions & StreamOptions,
): DumpStream<Addr> {
  const index = linkIndexArg(link);
  const fam = familyArg(family);
  const { kernelFilter, stream } = checkListStreamOptions(options, 'addrStream');
  return c.stream('addrStream', 'addr.dump', { family: fam, index, kernelFilter }, site, stream, (items) =>
    items.filter((a) => addrMatches(a, index, fam)),
  );
}

/** Address updates (RTM_NEWADDR / RTM_DELADDR) of `options.family` (FAMILY_ALL by default), as AddrSubscribeWithOptions. */
export function addrSubscribe(c: Calls, site: Site, options?: SubscribeOptions & { family?: number }): Subscription<AddrUpdate> {
  const o = checkSubscribeOptions(options, 'addrSubscribe', ['family']);
  const family = familyArg(ownOption(options, 'family') ?? FAMILY_ALL, 'addrSubscribe: options.family');
  const existing = o.listExisting
    ? async (): Promise<AddrUpdate[]> => (await addrList(c, site, null, family)).map(existingAddr)
    : null;
  return c.subscribe('addrSubscribe', groupsOf(family, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR), o, addrUpdate, existing);
}

const addrKey = (a: Addr): string => `${a.linkIndex}|${a.family}|${a.ipNet}|${a.peer ?? ''}`;

/** A live map of addresses by link, family, address and prefix: of `options.link` (all by default) and `options.family`. */
export function watchAddrs(
  c: Calls,
  site: Site,
  options?: WatchOptions & { family?: number; link?: Link | number | null },
): Watch<Addr, AddrUpdate> {
  const o = checkSubscribeOptions(options, 'watchAddrs', ['family', 'link'], false);
  const family = familyArg(ownOption(options, 'family') ?? FAMILY_ALL, 'watchAddrs: options.family');
  const index = linkIndexArg(ownOption(options, 'link') ?? null, 'watchAddrs: options.link');
  const groups = groupsOf(family, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR);
  return new Watch<Addr, AddrUpdate>({
    name: 'watchAddrs',
    subscription: c.subscribe('watchAddrs', groups, o, addrUpdate, null),
    list: () => addrList(c, site, index === 0 ? null : index, family),
    key: addrKey,
    step: (u) => (addrMatches(u.addr, index, family) ? { object: u.addr, remove: !u.newAddr } : null),
    // Lifetimes count down by themselves, without a message.
    volatile: ['preferedLft', 'validLft'],
  });
}
