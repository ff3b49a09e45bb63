// nlwrap's receiver for the rtnetlink events bench (bench/rtnl-events.ts),
// a process of its own (its CPU time is its own): addrSubscribe +
// routeSubscribe (storm) or routeSubscribe (idle) on a Handle in the
// namespace, default options, consumed as batches, the way a busy agent
// would. Prints {"ready":true} once subscribed, then on the sentinel route
// (or SIGTERM) one JSON line: what it received, its loss markers, its CPU
// time over the run (process.cpuUsage: every thread, the addon's reader
// included), and for idle the monotonic time each route reached the
// consumer.
//
//   node bench/rtnl-events-receiver.js NS storm|idle SENTINEL   (through tsx)
import * as nl from '../dist/index.js';

const [ns, mode, sentinel] = process.argv.slice(2);

interface Result {
  addr: number;
  route: number;
  lossMarkers: { reason: string; dropped: number | null }[];
  firstNs: number;
  lastNs: number;
  cpuNs: number;
  sentinel: boolean;
  recv?: Record<string, number>;
}

const res: Result = { addr: 0, route: 0, lossMarkers: [], firstNs: 0, lastNs: 0, cpuNs: 0, sentinel: false };
if (mode === 'idle') res.recv = {};
const h = new nl.Handle({ netns: ns });
const subs: nl.Subscription<nl.AddrUpdate | nl.RouteUpdate>[] = [h.routeSubscribe()];
if (mode === 'storm') subs.push(h.addrSubscribe());
const cpu0 = process.cpuUsage();
let done = false;

function finish(): void {
  if (done) return;
  done = true;
  const c = process.cpuUsage(cpu0);
  res.cpuNs = (c.user + c.system) * 1000;
  for (const s of subs) s.close();
  h.close();
  process.stdout.write(JSON.stringify(res) + '\n');
}

async function consume(sub: nl.Subscription<nl.AddrUpdate | nl.RouteUpdate>): Promise<void> {
  for await (const batch of sub.batches()) {
    const now = Number(process.hrtime.bigint());
    if (res.firstNs === 0) res.firstNs = now;
    res.lastNs = now;
    for (const u of batch) {
      if (u.kind === 'addr') res.addr++;
      else if (u.kind === 'route') {
        res.route++;
        if (res.recv && u.type === nl.RTM_NEWROUTE && u.route.dst !== null) res.recv[u.route.dst] = now;
        if (u.route.dst === sentinel) {
          res.sentinel = true;
          finish();
          return;
        }
      } else if (u.kind === 'loss') res.lossMarkers.push({ reason: u.reason, dropped: u.dropped });
    }
  }
}

process.once('SIGTERM', finish);
for (const s of subs) void consume(s);
process.stdout.write('{"ready":true}\n');
