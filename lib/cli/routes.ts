// nlwrap routes: routes of the main table, one table (--table N) or all
// (--table all), of one family or both (--family 4|6), as a table or JSON.
import { NETLINK_ROUTE, RT_FILTER_TABLE } from '../constants';
import type { Route } from '../types/route';
import { bitNames, lowerName } from './addrs';
import { FAMILY_FLAG, familyFlag, UsageError, type Command } from './command';
import { table, toJson } from './format';

const TABLE_NAMES: Record<string, number> = { main: 254, local: 255, default: 253 };

function tableFlag(value: string | true | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === 'all') return 0;
  if (typeof value === 'string' && value in TABLE_NAMES) return TABLE_NAMES[value];
  if (typeof value === 'string' && /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 2 ** 32 - 1)
    return Number(value);
  throw new UsageError(`--table must be a table number, main, local, default or all, got '${String(value)}'`);
}

function gateway(r: Route): string | null {
  if (r.multiPath) return r.multiPath.map((n) => n.gw ?? n.via?.addr ?? `dev ${n.linkIndex}`).join(' ');
  return r.gw ?? r.via?.addr ?? null;
}

export const routes: Command = {
  name: 'routes',
  summary: 'list routes (ip route show)',
  protocol: NETLINK_ROUTE,
  flags: {
    table: { value: true, help: 'a table number, main (default), local, default, or all' },
    family: FAMILY_FLAG,
  },
  async run(handle, flags) {
    const family = familyFlag(flags.family);
    const t = tableFlag(flags.table);
    const list =
      t === undefined
        ? await handle.routeList(null, family)
        : await handle.routeListFiltered(family, { table: t }, RT_FILTER_TABLE);
    if (flags.json) return toJson(list);
    const names = new Map((await handle.linkList()).map((l) => [l.index, l.name]));
    return table(
      ['dst', 'gateway', 'dev', 'src', 'table', 'proto', 'scope', 'type', 'metric', 'flags'],
      list.map((r) => ({
        dst: r.dst ?? (r.mplsDst === null ? null : String(r.mplsDst)),
        gateway: gateway(r),
        dev: r.linkIndex === null ? null : (names.get(r.linkIndex) ?? r.linkIndex),
        src: r.src,
        table: lowerName('RT_TABLE_', r.table),
        proto: lowerName('RTPROT_', r.protocol),
        scope: lowerName('RT_SCOPE_', r.scope),
        type: lowerName('RTN_', r.type),
        metric: r.priority,
        flags: [bitNames('RTNH_F_', r.flags), bitNames('RTM_F_', r.flags)].filter(Boolean).join(','),
      })),
    );
  },
};
