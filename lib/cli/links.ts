// nlwrap links: every link, as a table or JSON.
import { NETLINK_ROUTE } from '../constants';
import * as uapi from '../uapi';
import type { Command } from './command';
import { flagNames, nameOf, table, toJson } from './format';

// The interface flags of ifi_flags (net/if.h). uapi also has IFF_TUN,
// IFF_TAP... (tun's own flags, other bits in another field): not these.
const IFI_FLAGS = Object.fromEntries(
  [
    'UP',
    'BROADCAST',
    'DEBUG',
    'LOOPBACK',
    'POINTOPOINT',
    'NOTRAILERS',
    'RUNNING',
    'NOARP',
    'PROMISC',
    'ALLMULTI',
    'MASTER',
    'SLAVE',
    'MULTICAST',
    'PORTSEL',
    'AUTOMEDIA',
    'DYNAMIC',
    'LOWER_UP',
    'DORMANT',
    'ECHO',
  ].map((n) => [`IFF_${n}`, (uapi as Record<string, number>)[`IFF_${n}`]]),
);

export const links: Command = {
  name: 'links',
  summary: 'list links (ip -d link show)',
  protocol: NETLINK_ROUTE,
  flags: {},
  async run(handle, flags) {
    const list = await handle.linkList();
    if (flags.json) return toJson(list);
    return table(
      ['index', 'name', 'type', 'mtu', 'state', 'mac', 'master', 'link', 'flags'],
      list.map((l) => ({
        index: l.index,
        name: l.name,
        type: l.type,
        mtu: l.mtu,
        state: nameOf(uapi, 'IF_OPER_', l.operState),
        mac: l.hardwareAddr,
        master: l.masterIndex,
        link: l.parentIndex,
        flags: flagNames(IFI_FLAGS, 'IFF_', l.flags).join(','),
      })),
    );
  },
};
