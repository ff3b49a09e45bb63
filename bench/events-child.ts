// Child process of the event storm bench (bench/events.ts): one
// conntrackSubscribe in NETNS, read as fast as it comes, so that the parent
// can measure this process's CPU (all its threads, /proc/PID/stat) as it
// measures `conntrack -E`'s.
//
//   node bench/events-child.js NETNS all|mark BUFFER_BYTES   (through tsx)
//
// Prints "ready" once subscribed. The parent runs the storm and writes a line
// when it is over; the child waits until no event came for QUIET ms, prints
// one JSON line (events, loss markers, events the markers counted, the time
// from the first event to the last), and exits at the next line or at EOF
// (so the parent reads its CPU time first).
import { createInterface } from 'node:readline';
import * as nl from '../dist/index.js';

const QUIET = 1000;

async function main(): Promise<void> {
  const [ns, mode, buf] = process.argv.slice(2);
  const h = new nl.Handle({ netns: ns, families: [nl.NETLINK_NETFILTER] });
  const sub = h.conntrackSubscribe({
    receiveBufferForceSize: Number(buf),
    filters: mode === 'mark' ? [new nl.ConntrackFilter().addMark(1)] : undefined,
  });
  let events = 0;
  let markers = 0;
  let counted = 0;
  let first = 0;
  let last = 0;
  const reading = (async () => {
    for await (const batch of sub.batches()) {
      for (const u of batch) {
        if (u.kind === 'loss') {
          markers++;
          counted += u.dropped ?? 0;
        } else if (u.kind === 'conntrack') events++;
      }
      last = performance.now();
      if (first === 0) first = last;
    }
  })();
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  process.stdout.write('ready\n');
  await lines.next(); // the storm is over
  const over = performance.now();
  while (performance.now() - Math.max(last, over) < QUIET) await new Promise((r) => setTimeout(r, 50));
  sub.close();
  await reading;
  h.close();
  process.stdout.write(`${JSON.stringify({ events, markers, counted, spanMs: last - first })}\n`);
  await lines.next(); // the parent has read our CPU time
  process.exit(0);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
