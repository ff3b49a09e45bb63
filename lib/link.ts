// Links (vishvananda's link_linux.go): the list, the lookups by name and
// index, the stream, the subscription and the watch. Handle delegates here.
import { checkIfindex, checkLinkName, checkStreamOptions, checkSubscribeOptions, IFNAMSIZ } from './args';
import type { OpArgs } from './generated/args';
import type { Calls } from './calls';
import { FAMILY_ALL } from './constants';
import type { DumpStream, StreamOptions } from './dump-stream';
import { LinkNotFoundError, NetlinkError } from './errors';
import type { SubscribeOptions, Subscription } from './subscription';
import type { Link } from './types/link';
import { RTM_DELLINK, RTNLGRP_LINK } from './uapi';
import { existingLink, linkUpdate, type LinkUpdate } from './updates';
import { Watch, type WatchOptions } from './watch';

type Site = { stack?: string };

/** Every link in the namespace (RTM_GETLINK dump). */
export function linkList(c: Calls, site: Site): Promise<Link[]> {
  return c.dump('linkList', 'link.dump', {}, site);
}

/** linkList as a stream of batches. */
export function linkStream(c: Calls, site: Site, options?: StreamOptions): DumpStream<Link> {
  return c.stream('linkStream', 'link.dump', {}, site, checkStreamOptions(options, 'linkStream'));
}

/**
 * One link by name: IFLA_IFNAME, or IFLA_ALT_IFNAME for names longer than
 * 15 bytes. Kernels that answer EINVAL make this handle dump-and-match from
 * then on. Rejects with LinkNotFoundError when there is no such link.
 */
export async function linkByName(c: Calls, site: Site, name: string): Promise<Link> {
  checkLinkName(name, 'name');
  if (!c.linkByNameByDump) {
    const args = Buffer.byteLength(name) < IFNAMSIZ ? { name } : { altName: name };
    try {
      return await getLink(c, 'linkByName', args, name);
    } catch (err) {
      if (!(err instanceof NetlinkError) || err.code !== 'EINVAL') throw err;
      c.linkByNameByDump = true;
    }
  }
  const links = await c.dump('linkByName', 'link.dump', {}, site);
  const found = links.find((l) => l.name === name || (l.altNames?.includes(name) ?? false));
  if (!found) throw new LinkNotFoundError(name, 'linkByName');
  return found;
}

/** One link by ifindex; LinkNotFoundError when there is none. */
export async function linkByIndex(c: Calls, index: number): Promise<Link> {
  checkIfindex(index, 'index');
  return getLink(c, 'linkByIndex', { index }, `index ${index}`);
}

/** Rejects with LinkNotFoundError when there is no link `index` (for the calls that take a link). */
export async function linkExists(c: Calls, name: string, index: number): Promise<void> {
  await getLink(c, name, { index }, `index ${index}`);
}

async function getLink(c: Calls, name: string, args: OpArgs['link.get'], what: string): Promise<Link> {
  try {
    const links = await c.request(name, 'link.get', args);
    if (links.length !== 1) throw new NetlinkError(`${name}: expected one link, got ${links.length}`, 'EBADMSG', 74, name);
    return links[0];
  } catch (err) {
    if (err instanceof NetlinkError && err.code === 'ENODEV') throw new LinkNotFoundError(what, name);
    throw err;
  }
}

/**
 * Link updates (RTM_NEWLINK / RTM_DELLINK), as vishvananda's
 * LinkSubscribeWithOptions, with loss markers instead of a dead
 * subscription.
 */
export function linkSubscribe(c: Calls, site: Site, options?: SubscribeOptions): Subscription<LinkUpdate> {
  const o = checkSubscribeOptions(options, 'linkSubscribe');
  const existing = o.listExisting ? async (): Promise<LinkUpdate[]> => (await linkList(c, site)).map(existingLink) : null;
  return c.subscribe('linkSubscribe', [RTNLGRP_LINK], o, linkUpdate, existing);
}

const linkKey = (l: Link): string => String(l.index);

// Fields the kernel changes by itself, without a message: counters, and a
// bridge's timers (on the bridge and in each port's slave data).
const LINK_VOLATILE = [
  'statistics',
  'helloTimer',
  'tcnTimer',
  'topologyChangeTimer',
  'gcTimer',
  'slave.messageAgeTimer',
  'slave.forwardDelayTimer',
  'slave.holdTimer',
];

/** A live map of the namespace's links by ifindex (see Watch). */
export function watchLinks(c: Calls, site: Site, options?: WatchOptions): Watch<Link, LinkUpdate> {
  const o = checkSubscribeOptions(options, 'watchLinks', [], false);
  const watch: Watch<Link, LinkUpdate> = new Watch<Link, LinkUpdate>({
    name: 'watchLinks',
    subscription: c.subscribe('watchLinks', [RTNLGRP_LINK], o, linkUpdate, null),
    list: () => linkList(c, site),
    key: linkKey,
    step: (u) => {
      // Changes the kernel makes to a link without a message of the link's
      // own, which only a listing shows: a bridge port's STP state (in its
      // slave data) is told in AF_BRIDGE messages; a new veth's peer is
      // announced before the two are paired (IFLA_LINK 0); a port joining
      // or leaving changes its master's GSO/TSO limits and id.
      if (u.family !== FAMILY_ALL) return 'relist';
      if (u.type === RTM_DELLINK) return { object: u.link, remove: true };
      if (u.link.type === 'veth' && u.link.parentIndex === 0) return 'relist';
      const held = watch.get(linkKey(u.link));
      if (held !== undefined && held.masterIndex !== u.link.masterIndex) return 'relist';
      return { object: u.link, remove: false };
    },
    volatile: LINK_VOLATILE,
  });
  return watch;
}
