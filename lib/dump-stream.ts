// Streams: a dump consumed as it arrives, in batches of the objects its list
// call returns, in the same order. Backpressure is the socket itself: the
// addon queues at most `highWaterMark` decoded-to-be chunks; while they wait,
// its reader stops reading, and the kernel, which builds a dump's next
// datagram only when the previous one was read, waits too. Memory does not
// grow with the table.
//
// NLM_F_DUMP_INTR is known only at the end of a dump, and a stream cannot
// take back what it yielded: a stream is one attempt. Its end says whether
// the kernel flagged it (`interrupted`); under onInterrupted: 'throw' the
// iterator then rejects with DumpInterruptedError (its `partial` is empty:
// the batches were already yielded), under 'return' the logger hears of it.
import { binding, type NativeHandle, type NativeRecords, type NativeStream } from './binding';
import type { OpArgs, OpName } from './generated/args';
import { DumpInterruptedError, fromNative } from './errors';
import type { RetryPolicy } from './retry';
import type { CheckedStreamOptions } from './args';
import { decodeTurn, type ChunkSlicer, type Root, type Roots } from './decode';

/**
 * Objects per batch: the consumer's memory between two next() calls. A chunk
 * (~1 000 records) is decoded in batches of this many, so that V8's young
 * generation, which a batch outlives while it is folded, stays small.
 */
const BATCH = 256;

export interface StreamOptions {
  /** Chunks (about a thousand objects each) the addon decodes ahead of the consumer; at most 64. Default 2. */
  highWaterMark?: number;
  /** Aborting it ends the stream (the iteration ends; no error) and closes its socket. */
  signal?: AbortSignal;
}

/** How a stream's dump ended. */
export interface StreamEnd {
  /** The kernel flagged the dump NLM_F_DUMP_INTR: what was yielded may be inconsistent. */
  interrupted: boolean;
  bytes: number;
  messages: number;
}

/** What a stream needs from its Handle. */
export interface StreamSpec<T> {
  name: string;
  native: NativeHandle;
  /** The op and its arguments (calls.ts pairs them by the op's name). */
  op: OpName;
  args: OpArgs[OpName];
  timeoutMs: number;
  policy: RetryPolicy;
  site: { stack?: string };
  /** A chunk's records, to be decoded a batch at a time. */
  open: (chunk: NativeRecords) => ChunkSlicer<Root>;
  /** The list call's own filter and shaping of decoded records. */
  keep: (items: Roots[Root][]) => T[];
  /** Counts the attempt on the handle (interrupted or not). */
  onEnd?: (end: StreamEnd) => void;
}

/**
 * An async iterable of batches (arrays) of one dump's objects. Starts the dump
 * at the first next(); `break`, close() or the signal stop it and close its
 * socket (never left half-read).
 */
export class DumpStream<T> implements AsyncIterable<T[]> {
  readonly #spec: StreamSpec<T>;
  readonly #highWaterMark: number;
  #stream: NativeStream | null = null;
  #pending: NativeRecords[] = [];
  /** The chunk being decoded, a batch at a time. */
  #current: ChunkSlicer<Root> | null = null;
  #end: StreamEnd | null = null;
  /** Thrown once the batches that came with the end were yielded. */
  #failure: Error | null = null;
  #closed = false;
  #signal: AbortSignal | null;
  readonly #onAbort = (): void => this.close();

  /** Why the stream could not start (its handle could not be opened): the first read rejects with it. */
  #startError: Error | null = null;

  /** @internal Made by the *Stream methods of Handle. */
  constructor(spec: StreamSpec<T>, options: CheckedStreamOptions) {
    this.#spec = spec;
    this.#highWaterMark = options.highWaterMark;
    this.#signal = options.signal;
    if (this.#signal) {
      if (this.#signal.aborted) this.close();
      else this.#signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** @internal A stream whose handle could not be opened (the package-level calls): its first read rejects with `err`. */
  static failed<T>(name: string, err: Error): DumpStream<T> {
    const spec: StreamSpec<T> = {
      name,
      native: null as unknown as NativeHandle, // never started
      op: 'link.dump',
      args: {},
      timeoutMs: 0,
      policy: { maxAttempts: 1, onInterrupted: 'return', logger: { warn: () => undefined } },
      site: {},
      open: () => {
        throw new Error('never started');
      },
      keep: () => [],
    };
    const s = new DumpStream<T>(spec, { highWaterMark: 1, signal: null });
    s.#startError = err;
    return s;
  }

  /**
   * What the addon has read from the kernel for this stream so far. While the
   * consumer does not take batches it stops growing: the rest of the dump
   * waits in the kernel.
   */
  get received(): { bytes: number; datagrams: number } {
    return this.#stream?.progress() ?? { bytes: 0, datagrams: 0 };
  }

  /** How the dump ended, once it has; null before. */
  get end(): StreamEnd | null {
    return this.#end;
  }

  /** Idempotent: stops the dump and closes its socket; iteration ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const chunk of this.#pending) binding.release(chunk);
    this.#pending = [];
    if (this.#current) binding.release(this.#current.raw);
    this.#current = null;
    this.#stream?.close();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = null;
  }

  [Symbol.asyncIterator](): AsyncIterator<T[]> {
    return {
      next: async (): Promise<IteratorResult<T[]>> => {
        const batch = await this.#nextBatch();
        return batch === null ? { done: true, value: undefined } : { done: false, value: batch };
      },
      return: async (): Promise<IteratorResult<T[]>> => {
        this.close();
        return { done: true, value: undefined };
      },
    };
  }

  async #nextBatch(): Promise<T[] | null> {
    for (;;) {
      if (this.#closed) return null;
      if (this.#current === null) {
        const chunk = this.#pending.shift();
        if (chunk) this.#current = this.#spec.open(chunk);
      }
      const cur = this.#current;
      if (cur) {
        // The consumer's time counts too: a stream read at full speed still lets timers run.
        await decodeTurn();
        if (this.#closed) return null;
        const items = this.#spec.keep(cur.take(BATCH));
        if (cur.done) {
          // Its memory goes back now, not at the next GC: the queue's bound is what memory the stream holds.
          binding.release(cur.raw);
          this.#current = null;
        }
        if (items.length > 0) return items;
        continue;
      }
      if (this.#end) {
        const failure = this.#failure;
        this.close();
        if (failure) throw failure;
        return null;
      }
      await this.#read();
    }
  }

  async #read(): Promise<void> {
    const s = this.#spec;
    if (this.#startError) {
      const err = this.#startError;
      this.close();
      throw err;
    }
    if (this.#stream === null) {
      try {
        this.#stream = s.native.start(s.op, s.args, s.timeoutMs, this.#highWaterMark);
      } catch (err) {
        this.close();
        throw fromNative(err, s.name);
      }
    }
    const { items, end } = await this.#stream.read();
    for (const item of items) this.#pending.push(item as NativeRecords);
    if (end === null || this.#closed) return;
    if (end.cancelled) {
      this.close();
      return;
    }
    if (end.error) {
      this.close();
      throw fromNative(end.error, s.name);
    }
    this.#end = { interrupted: end.interrupted, bytes: end.bytes, messages: end.messages };
    s.onEnd?.(this.#end);
    if (!end.interrupted) return;
    if (s.policy.onInterrupted === 'throw') {
      this.#failure = new DumpInterruptedError<T[]>(s.name, 1, []);
      return;
    }
    const stack = (s.site.stack ?? '').split('\n').slice(1).join('\n');
    s.policy.logger.warn(
      `nlwrap: ${s.name} was interrupted (NLM_F_DUMP_INTR); a stream is one attempt, so what it yielded may be inconsistent`,
      { op: s.name, attempts: 1, stack },
    );
  }
}
