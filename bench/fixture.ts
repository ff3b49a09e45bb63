// The benchmark's namespace: one throwaway network namespace (`nlbench-<pid>`)
// filled with links, addresses, routes, XFRM policies and conntrack flows at
// the chosen scale, and always deleted: at the end, on an error, on
// SIGINT/SIGTERM, and at process exit as a last resort. Namespaces left by a
// bench that was killed outright (SIGKILL) are removed at the next start.
//
// Everything is built in bulk: `ip -n NS -batch -` for links, addresses,
// policies and routes (one process for thousands of commands), and
// bench/bin/ct-fill for the flows (thousands of CT_NEW per sendmsg). XFRM
// policies go in before the routes: IPv6 policy inserts slow down with the
// number of IPv6 routes in the namespace (17 s instead of 0.2 s for 1 000
// policies beside 50 000 routes, measured on this project's machines).
import { spawnSync } from 'node:child_process';
import { killChildren, runOk } from './proc';

export type ScaleName = 'small' | 'medium' | 'large';

export interface Scale {
  /** Links besides lo: bridges (a tenth) and veth pairs. */
  links: number;
  addrs: number;
  /** Routes added (the kernel adds local/connected ones on top). */
  routes: number;
  policies: number;
  flows: number;
  /** Timed in-process calls per kind (after one warm-up). */
  reps: number;
  /** Runs of each whole-process tool (ip, conntrack). */
  toolRuns: number;
}

export const SCALES: Record<ScaleName, Scale> = {
  small: { links: 100, addrs: 1_000, routes: 10_000, policies: 200, flows: 20_000, reps: 10, toolRuns: 3 },
  medium: { links: 300, addrs: 3_000, routes: 30_000, policies: 600, flows: 60_000, reps: 10, toolRuns: 3 },
  large: { links: 1_000, addrs: 10_000, routes: 100_000, policies: 2_000, flows: 200_000, reps: 15, toolRuns: 5 },
};

/** A --scale value, checked. */
export function parseScale(s: string): ScaleName {
  if (!(s in SCALES)) throw new Error(`--scale must be ${Object.keys(SCALES).join(', ')}, got ${s}`);
  return s as ScaleName;
}

export const NS_PREFIX = 'nlbench-';

export interface Fixture {
  name: string;
  path: string;
  /** An ifindex that carries addresses, for addrList(oneLink). */
  oneLinkIndex: number;
  oneLinkName: string;
  /** Seconds spent building each part. */
  buildSeconds: Record<string, number>;
}

function ipBatch(ns: string, lines: string[]): Promise<string> {
  return runOk('ip', ['-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n' });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes nlbench-<pid> namespaces whose bench process is gone. */
export function removeStaleNamespaces(): string[] {
  const removed: string[] = [];
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    const m = /^nlbench-(\d+)$/.exec(name ?? '');
    if (m && !pidAlive(Number(m[1]))) {
      spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
      removed.push(name);
    }
  }
  return removed;
}

let live: string | null = null;

export function deleteNamespace(): void {
  if (live === null) return;
  spawnSync('ip', ['netns', 'del', live], { stdio: 'ignore' });
  live = null;
}

/** Deletes the namespace on exit and on SIGINT/SIGTERM/SIGHUP (then exits 128+n). */
export function installCleanup(): void {
  process.on('exit', deleteNamespace);
  for (const [sig, n] of [
    ['SIGINT', 2],
    ['SIGTERM', 15],
    ['SIGHUP', 1],
  ] as const)
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}: deleting the namespace\n`);
      killChildren();
      deleteNamespace();
      process.exit(128 + n);
    });
}

const hex = (n: number): string => n.toString(16);

/**
 * An empty namespace under the bench's name (after the fixture's was
 * deleted): for measurements that must not run beside the big tables, such
 * as the conntrack event storm. Deleted like the fixture's.
 */
export async function emptyNamespace(): Promise<string> {
  deleteNamespace();
  const name = `${NS_PREFIX}${process.pid}`;
  live = name;
  await runOk('ip', ['netns', 'add', name]);
  await runOk('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/**
 * The rtnetlink events bench's namespace (an empty one, deleted the same
 * ways): lo up and a veth pair up, no IPv6 autoconfiguration, so the only
 * events are the bench's own.
 */
export async function rtnlEventsNamespace(): Promise<string> {
  const name = await emptyNamespace();
  const sysctls = ['default', 'all'].flatMap((k) => [`net.ipv6.conf.${k}.addr_gen_mode=1`, `net.ipv6.conf.${k}.accept_dad=0`]);
  await runOk('ip', ['netns', 'exec', name, 'sysctl', '-qw', ...sysctls]);
  await ipBatch(name, ['link add va type veth peer name vb', 'link set va up', 'link set vb up']);
  return name;
}

/** Builds the namespace; `ctFill` is the path of the compiled bench/ct-fill. */
export async function buildFixture(scale: Scale, ctFill: string, log: (s: string) => void): Promise<Fixture> {
  const name = `${NS_PREFIX}${process.pid}`;
  const path = `/var/run/netns/${name}`;
  const t: Record<string, number> = {};
  const timed = async (part: string, f: () => Promise<unknown>): Promise<void> => {
    const t0 = process.hrtime.bigint();
    await f();
    t[part] = Number(process.hrtime.bigint() - t0) / 1e9;
    log(`  ${part}: ${t[part].toFixed(2)} s`);
  };

  live = name; // first, so that a signal during the add still removes it
  await runOk('ip', ['netns', 'add', name]);
  // No IPv6 link-local addresses or DAD: the counts stay what was added.
  const sysctls = ['default', 'all'].flatMap((k) => [`net.ipv6.conf.${k}.addr_gen_mode=1`, `net.ipv6.conf.${k}.accept_dad=0`]);
  await runOk('ip', ['netns', 'exec', name, 'sysctl', '-qw', ...sysctls]);

  // Links: a tenth bridges, the rest veth pairs (both ends here); every other
  // pair's second end is a bridge port. Everything up (routes need it).
  const bridges = Math.max(1, Math.round(scale.links / 10));
  const pairs = Math.floor((scale.links - bridges) / 2);
  await timed('links', () => {
    const cmds = ['link set lo up'];
    for (let b = 0; b < bridges; b++) cmds.push(`link add br${b} type bridge`, `link set br${b} up`);
    for (let p = 0; p < pairs; p++) {
      cmds.push(`link add va${p} type veth peer name vb${p}`);
      if (p % 2 === 0) cmds.push(`link set vb${p} master br${(p / 2) % bridges}`);
      cmds.push(`link set va${p} up`, `link set vb${p} up`);
    }
    return ipBatch(name, cmds);
  });

  // Addresses: a block per veth end, 7 in 10 IPv4 (one /24 per link), 3 IPv6.
  // The va<L> links (the first half) get theirs first; routes use them.
  const addrLinks = [...Array(pairs).keys()].map((p) => `va${p}`).concat([...Array(pairs).keys()].map((p) => `vb${p}`));
  const perLink = Math.ceil(scale.addrs / addrLinks.length);
  const v4Net = (L: number): string => `10.${100 + (L >> 8)}.${L & 255}`;
  await timed('addrs', () => {
    const cmds: string[] = [];
    for (let L = 0; L < addrLinks.length && cmds.length < scale.addrs; L++)
      for (let j = 0; j < perLink && cmds.length < scale.addrs; j++)
        cmds.push(
          j % 10 < 7
            ? `addr add ${v4Net(L)}.${j + 1}/24 dev ${addrLinks[L]}`
            : `addr add fd10:0:${hex(L)}::${hex(j + 1)}/64 dev ${addrLinks[L]} nodad`,
        );
    return ipBatch(name, cmds);
  });
  const routeLinks = Math.min(pairs, Math.ceil(scale.addrs / perLink));

  await timed('xfrm policies', () => {
    const dirs = ['out', 'in', 'fwd'];
    const cmds: string[] = [];
    for (let p = 0; p < scale.policies; p++) {
      const dir = dirs[p % 3];
      const tail = `dir ${dir} priority ${1000 + (p % 500)} tmpl`;
      cmds.push(
        p % 2 === 0
          ? `xfrm policy add src 10.1.${(p >> 8) & 255}.${p & 255}/32 dst 10.2.${(p >> 8) & 255}.${p & 255}/32 ` +
              `${tail} src 192.0.2.1 dst 192.0.2.2 proto esp reqid ${p + 1} mode tunnel`
          : `xfrm policy add src fd20::${hex(p)}/128 dst fd21::${hex(p)}/128 proto tcp dport ${1024 + (p % 1000)} ` +
              `${tail} src fd22::1 dst fd22::2 proto esp reqid ${p + 1} mode tunnel`,
      );
    }
    return ipBatch(name, cmds);
  });

  // Routes: 3 in 5 IPv4 (half through a gateway on the link's /24), 2 in 5
  // IPv6, over the main table and tables 100 and 200 (below 256 so rtm_table
  // carries the number for every peer).
  await timed('routes', () => {
    const tables = [254, 100, 200];
    const cmds: string[] = [];
    for (let r = 0; r < scale.routes; r++) {
      const L = r % routeLinks;
      const table = tables[r % 3];
      if (r % 5 < 3) {
        const dst = `${20 + (r >> 16)}.${(r >> 8) & 255}.${r & 255}.0/24`;
        const via = r % 2 ? ` via ${v4Net(L)}.254` : '';
        const extra = r % 10 === 0 ? ' proto static metric 100 mtu lock 1400' : '';
        cmds.push(`route add ${dst}${via} dev va${L} table ${table}${extra}`);
      } else {
        const extra = r % 10 === 9 ? ' proto static metric 200' : '';
        cmds.push(`route add 2001:db8:${hex(r >> 16)}:${hex(r & 0xffff)}::/64 dev va${L} table ${table}${extra}`);
      }
    }
    return ipBatch(name, cmds);
  });

  await timed('conntrack flows', async () => {
    const got = (await runOk(ctFill, [path, String(scale.flows)])).trim();
    if (Number(got) !== scale.flows) throw new Error(`ct-fill inserted ${got} flows, expected ${scale.flows}`);
  });

  const oneLinkName = 'va0';
  const links = JSON.parse(await runOk('ip', ['-n', name, '-j', 'link', 'show', 'dev', oneLinkName])) as { ifindex: number }[];
  return { name, path, oneLinkIndex: links[0].ifindex, oneLinkName, buildSeconds: t };
}
