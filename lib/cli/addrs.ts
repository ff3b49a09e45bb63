// nlwrap addrs: addresses of every link or one (--link), of one family or
// both (--family 4|6), as a table or JSON.
import { ADDR_LIFETIME_FOREVER, NETLINK_ROUTE } from '../constants';
import * as uapi from '../uapi';
import { FAMILY_FLAG, familyFlag, UsageError, type Command } from './command';
import { flagNames, nameOf, table, toJson } from './format';

function lifetime(v: number | null): string | null {
  if (v === null) return null;
  return v === ADDR_LIFETIME_FOREVER ? 'forever' : `${v}s`;
}

/** Lower-case names of the bits of `value`, one name per distinct bit. */
export function bitNames(prefix: string, value: number): string {
  const seen = new Set<number>();
  const out: string[] = [];
  for (const name of flagNames(uapi, prefix, value)) {
    const bit = (uapi as Record<string, number>)[prefix + name];
    if (seen.has(bit)) continue;
    seen.add(bit);
    out.push(name.toLowerCase());
  }
  return out.join(',');
}

export function lowerName(prefix: string, value: number | null): string | null {
  const n = nameOf(uapi, prefix, value);
  return n === null ? null : n.toLowerCase();
}

export const addrs: Command = {
  name: 'addrs',
  summary: 'list addresses (ip addr show)',
  protocol: NETLINK_ROUTE,
  flags: {
    link: { value: true, help: 'only the addresses of this link (name)' },
    family: FAMILY_FLAG,
  },
  async run(handle, flags) {
    const family = familyFlag(flags.family);
    if (flags.link === true) throw new UsageError('--link needs a link name');
    const link = typeof flags.link === 'string' ? await handle.linkByName(flags.link) : null;
    const list = await handle.addrList(link, family);
    if (flags.json) return toJson(list);
    const names = new Map((await handle.linkList()).map((l) => [l.index, l.name]));
    return table(
      ['link', 'address', 'peer', 'broadcast', 'scope', 'label', 'valid', 'preferred', 'flags'],
      list.map((a) => ({
        link: names.get(a.linkIndex) ?? a.linkIndex,
        address: a.ipNet,
        peer: a.peer,
        broadcast: a.broadcast,
        scope: lowerName('RT_SCOPE_', a.scope),
        label: a.label,
        valid: lifetime(a.validLft),
        preferred: lifetime(a.preferedLft),
        flags: bitNames('IFA_F_', a.flags),
      })),
    );
  },
};
