// Proves the conntrack event contract under a flow storm on the real
// kernel (`npm run test:storm`, its own CI step: it needs ~a minute and a
// quiet machine's conntrack table). bench/ct-insert creates and deletes
// 200 000 flows in a fresh namespace as fast as ctnetlink takes them
// (400 000 events):
// - with an 8 MiB forced receive buffer and a 1 % filter (a mark), the
//   subscription delivers exactly the events of the marked flows (count and
//   identity: each flow's new and destroy) and no loss marker;
// - unfiltered, loss is never silent: every event arrives once, or a loss
//   marker is there, and what arrives is real and never repeated;
// - a consumer that stalls through the storm gets loss markers whose
//   counts add up with what it got, memory stays bounded, and it gets live
//   events again afterwards;
// - watchConntrack, with losses forced (a small queue) through several
//   rounds of storms, updates and deletes, with and without a filter on a
//   mark that the rounds change, equals a fresh listing once the churn stops,
//   and its change events replayed on a copy give the same map.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ConntrackFilter,
  ConntrackTable,
  FAMILY_V4,
  Handle,
  type ConntrackFlow,
  type LossMarker,
  type WatchChange,
} from '../../lib/index';
import { conntrackKey } from '../../lib/conntrack-events';
import { ctInsert } from '../helpers/conntrack';
import { ctInsertAsync, flowSrc, flowTuple, inputFile, rmInput, storm } from '../helpers/ct-storm';
import { collect, isMarker, sleep, updatesOf } from '../helpers/events';
import { createNetns, deleteNetns, isRoot } from '../helpers/netns';

const skip = !isRoot && 'needs root';
const FLOWS = Number(process.env.STORM_FLOWS ?? 200_000);
const MIB8 = 8 << 20;

test(
  `a 1 % filter with an 8 MiB buffer delivers exactly the marked flows' events through a ${FLOWS}-flow storm`,
  { skip },
  async (t) => {
    const ns = createNetns('sf');
    const h = new Handle({ netns: ns });
    const s = storm(FLOWS);
    const sub = h.conntrackSubscribe({ filters: [new ConntrackFilter().addMark(1)], receiveBufferForceSize: MIB8 });
    try {
      const ms = await ctInsertAsync(ns, s.lines);
      t.diagnostic(`storm: ${2 * FLOWS} events in ${ms.toFixed(0)} ms (${((2 * FLOWS) / ms).toFixed(0)} k/s)`);
      const got = await collect(sub, (u) => updatesOf(u).length >= 2 * s.marked.size, 30_000, 1000);
      assert.deepEqual(got.filter(isMarker), [], 'no loss marker');
      const seen = updatesOf(got).map((u) => `${u.event} ${u.flow.forward.srcIp}`);
      const want = new Set([...s.marked].flatMap((src) => [`new ${src}`, `destroy ${src}`]));
      assert.equal(seen.length, want.size, 'as many events as marked flows have');
      assert.deepEqual(new Set(seen), want, 'exactly the marked flows, each new and destroyed once');
    } finally {
      sub.close();
      h.close();
      deleteNetns(ns);
    }
  },
);

test(`unfiltered, a ${FLOWS}-flow storm loses nothing silently`, { skip }, async (t) => {
  const ns = createNetns('su');
  const h = new Handle({ netns: ns });
  const s = storm(FLOWS);
  const sub = h.conntrackSubscribe({ receiveBufferForceSize: MIB8 });
  const seen = new Set<string>();
  const markers: LossMarker[] = [];
  let dup = 0;
  let unknown = 0;
  const valid = new Set<string>();
  for (let i = 0; i < FLOWS; i++) valid.add(flowSrc(i));
  // Read as fast as the events come, while the storm runs.
  const reading = (async () => {
    for await (const batch of sub.batches()) {
      for (const u of batch) {
        if (isMarker(u)) {
          if (u.kind === 'loss') markers.push(u);
          continue;
        }
        const k = `${u.event} ${u.flow.forward.srcIp}`;
        if (!valid.has(u.flow.forward.srcIp as string)) unknown++;
        if (seen.has(k)) dup++;
        seen.add(k);
      }
      if (seen.size >= 2 * FLOWS) break;
    }
  })();
  try {
    const ms = await ctInsertAsync(ns, s.lines);
    const deadline = Date.now() + 30_000;
    while (seen.size < 2 * FLOWS && Date.now() < deadline) {
      const before = seen.size;
      await sleep(1000);
      if (seen.size === before) break; // the events stopped coming
    }
    sub.close();
    await reading;
    t.diagnostic(
      `${seen.size} of ${2 * FLOWS} events in a ${ms.toFixed(0)} ms storm; ${markers.length} loss markers (${markers.map((m) => `${m.reason}:${m.dropped ?? '?'}`).join(', ')})`,
    );
    assert.equal(unknown, 0, 'every event is a flow of the storm');
    assert.equal(dup, 0, 'no event twice');
    if (seen.size < 2 * FLOWS) assert.ok(markers.length > 0, `${2 * FLOWS - seen.size} events missing without a loss marker`);
    // Counted losses never exceed what is missing.
    const counted = markers.reduce((n, m) => n + (m.dropped ?? 0), 0);
    assert.ok(counted <= 2 * FLOWS - seen.size, `markers count ${counted} lost, ${2 * FLOWS - seen.size} missing`);
  } finally {
    sub.close();
    h.close();
    deleteNetns(ns);
  }
});

test('a consumer that stalls through a storm gets markers, bounded memory, then live events', { skip }, async (t) => {
  const ns = createNetns('ss');
  const h = new Handle({ netns: ns });
  const s = storm(FLOWS);
  const maxQueued = 2000;
  const sub = h.conntrackSubscribe({ receiveBufferForceSize: MIB8, maxQueued });
  const input = inputFile(s.lines);
  try {
    if (global.gc) global.gc();
    const rss0 = process.memoryUsage().rss;
    let rssMax = rss0;
    const probe = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 50);
    await ctInsertAsync(ns, { file: input }); // nothing is read meanwhile
    await sleep(1000);
    clearInterval(probe);
    t.diagnostic(`RSS grew by ${((rssMax - rss0) / 2 ** 20).toFixed(1)} MiB while the consumer stalled`);
    // A stalled consumer holds maxQueued events, not the storm's 400 000.
    assert.ok(rssMax - rss0 < 32 * 2 ** 20, `RSS grew by ${rssMax - rss0} bytes`);
    const got = await collect(sub, () => false, 3000, 0);
    const updates = updatesOf(got);
    const losses = got.filter((u): u is LossMarker => isMarker(u) && u.kind === 'loss');
    assert.ok(losses.length > 0, 'loss markers');
    assert.ok(updates.length <= maxQueued, `${updates.length} updates were queued, bound ${maxQueued}`);
    assert.ok(
      losses.some((m) => m.reason === 'QUEUE_OVERFLOW'),
      'the queue overflowed',
    );
    // Without ENOBUFS (the reader kept the socket drained), the counts add up.
    if (losses.every((m) => m.dropped !== null)) {
      const dropped = losses.reduce((n, m) => n + (m.dropped as number), 0);
      assert.equal(updates.length + dropped, 2 * FLOWS, 'queued + counted as lost = every event');
    }
    assert.equal(sub.stats.lossMarkers, losses.length);
    // Live again.
    ctInsert(ns, ['ct family=4 proto=6 src=10.101.0.1 dst=10.101.0.2 sport=1 dport=2']);
    const live = updatesOf(await collect(sub, (u) => updatesOf(u).length >= 1, 10_000, 200));
    assert.deepEqual(
      live.map((u) => [u.event, u.flow.forward.srcIp]),
      [['new', '10.101.0.1']],
    );
  } finally {
    rmInput(input);
    sub.close();
    h.close();
    deleteNetns(ns);
  }
});

/** A flow without what changes by itself: counters, timeouts, timestamps, use. */
function stable(f: ConntrackFlow): unknown {
  const tu = (x: ConntrackFlow['forward']): unknown => ({ ...x, bytes: null, packets: null });
  return { ...f, forward: tu(f.forward), reverse: tu(f.reverse), timeOut: null, use: null, timeStart: null, timeStop: null };
}

function sameAsListing(actual: Map<string, ConntrackFlow>, listed: ConntrackFlow[]): string | null {
  if (actual.size !== listed.length) return `${actual.size} held, ${listed.length} listed`;
  for (const f of listed) {
    const k = conntrackKey(ConntrackTable, f);
    const mine = actual.get(k);
    if (!mine) return `missing ${k}`;
    try {
      assert.deepEqual(stable(mine), stable(f));
    } catch {
      return `differs: ${k}`;
    }
  }
  return null;
}

test('watchConntrack equals a fresh listing after storms with forced losses, several rounds', { skip }, async (t) => {
  const ns = createNetns('sw');
  const h = new Handle({ netns: ns });
  // A small queue and buffer: the storms overflow them, the watches re-list.
  const opts = { maxQueued: 256, receiveBufferForceSize: 256 << 10 };
  const all = h.watchConntrack(ConntrackTable, FAMILY_V4, opts);
  const marked = h.watchConntrack(ConntrackTable, FAMILY_V4, { ...opts, filters: [new ConntrackFilter().addMark(1)] });
  // Replaying the change events on a copy must give the watch's own map.
  const mirrors = [all, marked].map((w) => {
    const m = new Map<string, ConntrackFlow>();
    w.on('change', (c: WatchChange<ConntrackFlow>) => {
      for (const f of c.removed) m.delete(w.keyOf(f));
      for (const f of c.added) m.set(w.keyOf(f), f);
      for (const { current } of c.updated) m.set(w.keyOf(current), current);
    });
    return m;
  });
  const markedOnly = new ConntrackFilter().addMark(1);
  try {
    await Promise.all([all.ready, marked.ready]);
    const rounds = Number(process.env.STORM_ROUNDS ?? 4);
    const per = Math.min(FLOWS, 40_000);
    for (let r = 0; r < rounds; r++) {
      // A storm that leaves flows behind: create a block (every 10th flow
      // marked), delete a third of it at once, change the mark of some of
      // the rest (into and out of the filter), delete some of the previous
      // round's survivors.
      const base = r * per;
      const lines: string[] = [];
      for (let i = base; i < base + per; i++) lines.push(`ct ${flowTuple(i)} mark=${i % 10 === 0 ? 1 : 2} timeout=600`);
      for (let i = base; i < base + per; i++) if (i % 3 === 0) lines.push(`del ${flowTuple(i)}`);
      for (let i = base; i < base + per; i += 7) if (i % 3 !== 0) lines.push(`upd ${flowTuple(i)} mark=${i % 2 ? 1 : 3}`);
      if (r > 0) for (let i = base - per; i < base; i += 5) if (i % 3 !== 0) lines.push(`del ${flowTuple(i)}`);
      await ctInsertAsync(ns, lines);
      const listed = await h.conntrackTableList(ConntrackTable, FAMILY_V4);
      const listedMarked = listed.filter((f) => markedOnly.matchConntrackFlow(f));
      // Caught up: equal to a fresh listing (the kernel is quiet now).
      let diff: (string | null)[] = ['', ''];
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(200)) {
        diff = [sameAsListing(new Map(all.entries()), listed), sameAsListing(new Map(marked.entries()), listedMarked)];
        if (diff[0] === null && diff[1] === null) break;
      }
      assert.deepEqual(diff, [null, null], `round ${r}: the watches equal the listing`);
      assert.equal(sameAsListing(mirrors[0], listed), null, `round ${r}: the change events rebuild the watch`);
      assert.equal(sameAsListing(mirrors[1], listedMarked), null, `round ${r}: the filtered watch's change events`);
      t.diagnostic(
        `round ${r}: ${listed.length} flows (${listedMarked.length} marked); listings ${all.stats.listings} / ${marked.stats.listings}, loss markers ${all.stats.lossMarkers} / ${marked.stats.lossMarkers}`,
      );
    }
    assert.ok(all.stats.lossMarkers > 0, 'losses were forced (the unfiltered watch re-listed)');
  } finally {
    all.close();
    marked.close();
    h.close();
    deleteNetns(ns);
  }
});
