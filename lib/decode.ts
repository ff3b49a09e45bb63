// Builds JS objects from the addon's flat records (src-native/record.h),
// with the decoders generated from the addon's schemas at build time
// (lib/generated/decoders.ts, by scripts/gen-decoders.ts): one function per
// schema returning one object literal, so every object of a schema has the
// same hidden class, and building 100 000 routes costs one pass over a
// Float64Array instead of a million N-API property sets. Large results are
// decoded in slices with a yield to the event loop between them, so timers
// keep running during a 200 000-flow dump.
import type { NativeRecords } from './binding';
import { DecodeContext } from './decode-context';
import { decoders, type Decoder } from './generated/decoders';

function rootDecoder(raw: NativeRecords): Decoder {
  const dec = decoders[raw.root];
  if (dec === undefined) throw new Error(`no decoder for root schema ${raw.root}`);
  return dec;
}

/**
 * How long decoding may hold the event loop before it yields (setImmediate):
 * long enough that a small dump decodes in the turn its records arrive in,
 * short enough that timers keep running through a 200 000-flow dump.
 */
const SLICE_MS = 4;
/** Records decoded between two looks at the clock. */
const STEP = 256;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Time spent decoding in the current event-loop turn. A slice starts with
 * the first decode of a turn and ends when the loop reaches its check phase
 * (a setImmediate), so every decoder in the process shares one budget.
 */
let sliceStart = -1;
function sliceLeft(): boolean {
  const now = performance.now();
  if (sliceStart < 0) {
    sliceStart = now;
    setImmediate(() => (sliceStart = -1));
  }
  return now - sliceStart < SLICE_MS;
}

/** Decodes the root records of `raw` onto `out`, yielding when the slice is used up. */
async function appendSliced<T>(out: T[], raw: NativeRecords): Promise<void> {
  const ctx = new DecodeContext(raw);
  const dec = rootDecoder(raw);
  for (let i = 0; i < raw.count;) {
    while (!sliceLeft()) await yieldToLoop();
    const end = Math.min(raw.count, i + STEP);
    for (; i < end; i++) out.push(dec(ctx, i) as T);
  }
}

/** Decodes every root record, yielding to the event loop between slices. */
export async function decodeRecords<T>(raw: NativeRecords): Promise<T[]> {
  const out: T[] = [];
  await appendSliced(out, raw);
  return out;
}

/**
 * Collects a streamed dump. Node hands a thread-safe function's queued calls
 * to JS back to back (up to a thousand per turn), so a chunk is decoded in
 * its callback only while the turn's slice lasts; the rest wait in a queue
 * that is decoded a slice per turn.
 */
export class StreamDecoder<T> {
  readonly items: T[] = [];
  #queue: NativeRecords[] = [];
  #draining: Promise<void> | null = null;

  push(chunk: NativeRecords): void {
    if (this.#draining === null && sliceLeft()) {
      appendRecords(this.items, chunk);
      return;
    }
    this.#queue.push(chunk);
    this.#draining ??= this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      for (let chunk = this.#queue.shift(); chunk; chunk = this.#queue.shift()) await appendSliced(this.items, chunk);
    } finally {
      this.#draining = null;
    }
  }

  /** Every record, once `last` (the reply's own records) is in. */
  async finish(last: NativeRecords): Promise<T[]> {
    while (this.#draining) await this.#draining;
    await appendSliced(this.items, last);
    return this.items;
  }
}

/** Decodes every root record at once and appends them to `out` (a chunk of a dump). */
export function appendRecords<T>(out: T[], raw: NativeRecords): void {
  const ctx = new DecodeContext(raw);
  const dec = rootDecoder(raw);
  for (let i = 0; i < raw.count; i++) out.push(dec(ctx, i) as T);
}

/** Decodes every root record at once (parse.* on captured bytes). */
export function decodeRecordsSync<T>(raw: NativeRecords): T[] {
  const ctx = new DecodeContext(raw);
  const dec = rootDecoder(raw);
  const out = new Array<T>(raw.count);
  for (let i = 0; i < raw.count; i++) out[i] = dec(ctx, i) as T;
  return out;
}
