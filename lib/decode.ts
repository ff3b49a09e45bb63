// Builds JS objects from the addon's flat records (src-native/record.h),
// with the decoders generated from the addon's schemas at build time
// (lib/generated/decoders.ts, by scripts/gen-decoders.ts): one function per
// schema returning one object literal, so every object of a schema has the
// same hidden class, and building 100 000 routes costs one pass over a
// Float64Array instead of a million N-API property sets. Large results are
// decoded in slices with a yield to the event loop between them, so timers
// keep running during a 200 000-flow dump.
import { binding, type NativeRecords } from './binding';
import { DecodeContext } from './decode-context';
import { decoders, schemaIds, type Decoder } from './generated/decoders';
import type { Addr } from './types/addr';
import type { EventRecord } from './types/event';
import type { ConntrackFlow } from './types/conntrack';
import type { Link } from './types/link';
import type { Route } from './types/route';
import type { XfrmPolicy, XfrmState } from './types/xfrm';

/** A ct.deleteExact outcome (src-native/conntrack_ops.cc, ct_outcome): a failed delete, or why the deletes stopped. */
export interface DeleteOutcome {
  /** The flow's position in the identities deleted; null on the stop record. */
  index: number | null;
  errnum: number | null;
  code: string | null;
  /** The flow as its identity names it (tuple, zone, id); null on the stop record. */
  flow: ConntrackFlow | null;
  /** Set on the one record that says why the deletes stopped early. */
  stopped: boolean | null;
  message: string | null;
}

/** ct.matchIdentities' one record (src-native/conntrack_ops.cc, ct_identities). */
export interface MatchedIdentities {
  /** How many flows matched (each once). */
  count: number;
  /** Their identities back to back (lib/conntrack-wire.ts), for ct.deleteExact. */
  identities: Buffer;
}

/**
 * The public type of the objects each root schema (a reply's records) makes.
 * test/unit/record-types.check.ts proves each the same as the record the
 * generated decoder builds, with the differences it declares: that is what
 * makes the one cast below sound.
 */
export interface Roots {
  link: Link;
  addr: Addr;
  route: Route;
  xfrm_policy: XfrmPolicy;
  xfrm_state: XfrmState;
  ct_flow: ConntrackFlow;
  ct_outcome: DeleteOutcome;
  ct_identities: MatchedIdentities;
  event: EventRecord;
}
export type Root = keyof Roots;

type RootDecoder<K extends Root> = (ctx: DecodeContext, i: number) => Roots[K];

/** The decoder of `raw`'s records, which must be of schema `root`. */
function rootDecoder<K extends Root>(raw: NativeRecords, root: K): RootDecoder<K> {
  if (raw.root !== schemaIds[root])
    throw new Error(`expected ${root} records (schema ${schemaIds[root]}), got schema ${raw.root}`);
  return decoders[raw.root] as Decoder as RootDecoder<K>;
}

/**
 * How long decoding may hold the event loop before it yields (setImmediate):
 * long enough that a small dump decodes in the turn its records arrive in,
 * short enough that timers keep running through a 200 000-flow dump.
 */
const SLICE_MS = 4;
/**
 * Records decoded between two looks at the clock: few enough that a slice
 * ends on time also while the decoders are still interpreted (a first call
 * decodes a flow in ~15 µs, an optimised decoder in ~1 µs).
 */
const STEP = 64;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Time spent decoding in the current event-loop turn. A slice starts with
 * the first decode of a turn and ends when the loop reaches its check phase
 * (a setImmediate), so every decoder in the process shares one budget.
 */
let sliceStart = -1;
/**
 * ms on a monotonic clock. Not performance.now(): the first read of Node's
 * `performance` global loads perf_hooks (~1-4 ms, inside a process's first
 * call).
 */
const clockMs = (): number => Number(process.hrtime.bigint()) / 1e6;
function sliceLeft(): boolean {
  const now = clockMs();
  if (sliceStart < 0) {
    sliceStart = now;
    setImmediate(() => (sliceStart = -1));
  }
  return now - sliceStart < SLICE_MS;
}

/**
 * Resolves at once while the current turn's slice lasts, else in a later
 * turn. A stream whose batches are ready resolves its next() in a microtask,
 * and a consumer that folds them would never let timers run: it waits here.
 */
export async function decodeTurn(): Promise<void> {
  while (!sliceLeft()) await yieldToLoop();
}

/**
 * One chunk of a dump, decoded a few records at a time: a list decodes it
 * within the turn's slice and goes on in the next turn, a stream hands its
 * consumer one batch at a time.
 */
export class ChunkSlicer<K extends Root> {
  readonly #ctx: DecodeContext;
  readonly #dec: RootDecoder<K>;
  readonly #count: number;
  #next = 0;

  constructor(
    readonly raw: NativeRecords,
    root: K,
  ) {
    this.#ctx = new DecodeContext(raw);
    this.#dec = rootDecoder(raw, root);
    this.#count = raw.count;
  }

  get done(): boolean {
    return this.#next >= this.#count;
  }

  /** The next `n` records (fewer at the end). */
  take(n: number): Roots[K][] {
    const end = Math.min(this.#count, this.#next + n);
    const out = new Array<Roots[K]>(end - this.#next);
    for (let k = 0; this.#next < end; k++) out[k] = this.#dec(this.#ctx, this.#next++);
    return out;
  }

  /** Appends the next `n` records (fewer at the end) to `out`. */
  appendTo(out: Roots[K][], n: number): void {
    const end = Math.min(this.#count, this.#next + n);
    while (this.#next < end) out.push(this.#dec(this.#ctx, this.#next++));
  }
}

/**
 * Collects a streamed dump. Node hands a thread-safe function's queued calls
 * to JS back to back (up to a thousand per turn), so chunks are decoded in
 * their callback only while the turn's slice lasts, a few records at a time;
 * the rest waits in a queue that is decoded a slice per turn. A decoded
 * chunk's buffers are released at once (binding.release), so a big list
 * holds its objects, not its records too, until the next GC.
 */
export class StreamDecoder<K extends Root> {
  readonly items: Roots[K][] = [];
  #queue: ChunkSlicer<K>[] = [];
  #draining: Promise<void> | null = null;
  /** Why decoding failed in a later turn: thrown by the next push() or finish(), never left unhandled. */
  #failure: { error: unknown } | null = null;

  /** For a reply of `root` records. */
  constructor(readonly root: K) {}

  push(chunk: NativeRecords): void {
    if (this.#failure) throw this.#failure.error;
    this.#queue.push(new ChunkSlicer(chunk, this.root));
    if (this.#draining === null && !this.#decodeInSlice()) this.#draining = this.#drain();
  }

  /** Decodes queued records while the turn's slice lasts; true once the queue is empty. */
  #decodeInSlice(): boolean {
    for (let c = this.#queue[0]; c; c = this.#queue[0]) {
      while (!c.done) {
        if (!sliceLeft()) return false;
        c.appendTo(this.items, STEP);
      }
      binding.release(c.raw);
      this.#queue.shift();
    }
    return true;
  }

  async #drain(): Promise<void> {
    try {
      do await decodeTurn();
      while (!this.#decodeInSlice());
    } catch (error) {
      this.#failure = { error };
    } finally {
      this.#draining = null;
    }
  }

  /** Every record, once the last chunk was pushed. */
  async finish(): Promise<Roots[K][]> {
    while (this.#draining) await this.#draining;
    if (this.#failure) throw this.#failure.error;
    return this.items;
  }
}

/** Decodes every root record at once (parse.* on captured bytes). */
export function decodeRecordsSync<K extends Root>(raw: NativeRecords, root: K): Roots[K][] {
  const ctx = new DecodeContext(raw);
  const dec = rootDecoder(raw, root);
  const out = new Array<Roots[K]>(raw.count);
  for (let i = 0; i < raw.count; i++) out[i] = dec(ctx, i);
  return out;
}
