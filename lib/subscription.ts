// Subscriptions: what changed, as it changes. The addon reads a multicast
// socket on a thread of its own, parses each batch of messages with the
// dump parsers and queues it for JS (src-native/subscription.h); this side
// decodes the batches the consumer asks for and yields them in order.
//
// Loss is never silent: the kernel's ENOBUFS and the queue's own overflow
// (a consumer slower than the kernel) arrive as LossMarker items in the
// position of what was lost, and the subscription goes on. Memory is
// bounded by `maxQueued` events in the addon plus one batch here.
import type { NativeLoss, NativeRecords, NativeStream } from './binding';
import { decodeRecordsSync } from './decode';
import { fromNative } from './errors';
import type { EventRecord } from './types/event';

/** Events that were dropped: by the kernel (ENOBUFS), by the full queue (QUEUE_OVERFLOW), or unreadable (EBADMSG). */
export interface LossMarker {
  kind: 'loss';
  reason: 'ENOBUFS' | 'QUEUE_OVERFLOW' | 'EBADMSG';
  /** How many events were dropped; null when the kernel does not say (ENOBUFS). */
  dropped: number | null;
}

/** With listExisting: every existing object has been yielded; live updates follow. */
export interface ListedMarker {
  kind: 'listed';
  /** How many existing objects were yielded. */
  count: number;
}

export type SubscriptionMarker = LossMarker | ListedMarker;

export interface SubscribeOptions {
  /** First yield every existing object (a dump under the retry policy, made after the socket joined its groups), then a ListedMarker. */
  listExisting?: boolean;
  /** SO_RCVBUF in bytes (the kernel doubles it and caps it at net.core.rmem_max). Default: 4 MiB, forced when permitted. */
  receiveBufferSize?: number;
  /** SO_RCVBUFFORCE in bytes: past rmem_max, needs CAP_NET_ADMIN. */
  receiveBufferForceSize?: number;
  /** Events the subscription queues for a consumer that has not taken them; past it they become a loss marker. Default 16 384. */
  maxQueued?: number;
  /** Aborting it closes the subscription (iteration ends; no error). */
  signal?: AbortSignal;
}

export interface SubscriptionStats {
  /** Updates handed to the consumer (existing objects of listExisting included). */
  updates: number;
  /** Loss markers handed to the consumer. */
  lossMarkers: number;
  /** Events known to be lost (the markers' counts that are known). */
  lost: number;
}

export type { EventRecord };

/**
 * A stream whose socket could not be opened: its first read rejects with
 * `err`. Subscribing throws only for bad arguments; what the kernel or the
 * process refuses (EMFILE, a closed handle) arrives through the iterator,
 * as a list call's failure arrives through its promise.
 */
export function failedStream(err: Error): NativeStream {
  return {
    read: () => Promise.reject(err),
    close: () => undefined,
    ref: () => undefined,
    unref: () => undefined,
    progress: () => ({ bytes: 0, datagrams: 0 }),
  };
}

/**
 * Updates of one kind, in the order the kernel sent them, with loss markers
 * where events were dropped. One consumer: iterate it (`for await`), or take
 * whole batches with nextBatch() / batches().
 */
export class Subscription<U> implements AsyncIterable<U | SubscriptionMarker> {
  readonly #stream: NativeStream;
  readonly #name: string;
  readonly #toUpdate: (e: EventRecord) => U;
  #existing: (() => Promise<U[]>) | null;
  #buffer: (U | SubscriptionMarker)[] = [];
  #next = 0;
  #ended = false;
  #closed = false;
  #reading = false;
  #stats: SubscriptionStats = { updates: 0, lossMarkers: 0, lost: 0 };
  #signal: AbortSignal | null;
  readonly #onAbort = (): void => this.close();

  /** @internal Made by the subscribe calls of Handle. */
  constructor(
    stream: NativeStream,
    name: string,
    toUpdate: (e: EventRecord) => U,
    existing: (() => Promise<U[]>) | null,
    signal: AbortSignal | null,
  ) {
    this.#stream = stream;
    this.#name = name;
    this.#toUpdate = toUpdate;
    this.#existing = existing;
    this.#signal = signal;
    if (signal) {
      if (signal.aborted) this.close();
      else signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** @internal A subscription whose socket could not be opened: its first read rejects with `err`. */
  static failed<U>(name: string, err: Error): Subscription<U> {
    return new Subscription<U>(
      failedStream(err),
      name,
      () => {
        throw err;
      },
      null,
      null,
    );
  }

  /** A snapshot of the counters. */
  get stats(): SubscriptionStats {
    return { ...this.#stats };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Idempotent: closes the socket; iteration ends (what was not taken is dropped). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#buffer = [];
    this.#next = 0;
    this.#stream.close();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = null;
  }

  /** Lets the process exit while the subscription is open (like socket.unref()). */
  unref(): this {
    this.#stream.unref();
    return this;
  }

  /** Undoes unref(): an open subscription keeps the process alive (the default). */
  ref(): this {
    this.#stream.ref();
    return this;
  }

  /**
   * Every update and marker available now (waiting for at least one), in
   * order; null once the subscription is closed. A socket error rejects
   * (and closes the subscription).
   */
  async nextBatch(): Promise<(U | SubscriptionMarker)[] | null> {
    if (this.#next < this.#buffer.length) {
      const rest = this.#buffer.slice(this.#next);
      this.#buffer = [];
      this.#next = 0;
      return rest;
    }
    return this.#fill();
  }

  /** The batches of nextBatch() as an async iterable; leaving the loop closes the subscription. */
  async *batches(): AsyncGenerator<(U | SubscriptionMarker)[], void, undefined> {
    try {
      for (let b = await this.nextBatch(); b !== null; b = await this.nextBatch()) yield b;
    } finally {
      this.close();
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<U | SubscriptionMarker> {
    return {
      next: async (): Promise<IteratorResult<U | SubscriptionMarker>> => {
        while (this.#next >= this.#buffer.length) {
          const b = await this.#fill();
          if (b === null) return { done: true, value: undefined };
          this.#buffer = b;
          this.#next = 0;
        }
        return { done: false, value: this.#buffer[this.#next++] };
      },
      return: async (): Promise<IteratorResult<U | SubscriptionMarker>> => {
        this.close();
        return { done: true, value: undefined };
      },
    };
  }

  /** The next non-empty batch from the listing or the socket; null at the end. */
  async #fill(): Promise<(U | SubscriptionMarker)[] | null> {
    if (this.#reading) throw new TypeError(`${this.#name}: one consumer at a time (a read is already waiting)`);
    this.#reading = true;
    try {
      if (this.#existing) {
        const list = this.#existing;
        this.#existing = null;
        let objects: U[];
        try {
          objects = await list();
        } catch (err) {
          this.close();
          throw err;
        }
        if (this.#closed) return null;
        this.#stats.updates += objects.length;
        return [...objects, { kind: 'listed', count: objects.length }];
      }
      while (!this.#closed && !this.#ended) {
        let read;
        try {
          read = await this.#stream.read();
        } catch (err) {
          this.close();
          throw err;
        }
        const { items, end } = read;
        const out = this.#decode(items);
        if (end) {
          this.#ended = true;
          if (end.error) {
            this.close();
            throw fromNative(end.error, this.#name);
          }
        }
        if (out.length > 0 && !this.#closed) return out;
      }
      return null;
    } finally {
      this.#reading = false;
    }
  }

  #decode(items: (NativeRecords | NativeLoss)[]): (U | SubscriptionMarker)[] {
    const out: (U | SubscriptionMarker)[] = [];
    for (const item of items) {
      if ('loss' in item) {
        this.#stats.lossMarkers++;
        if (item.dropped !== null) this.#stats.lost += item.dropped;
        out.push({ kind: 'loss', reason: item.loss, dropped: item.dropped });
        continue;
      }
      for (const e of decodeRecordsSync(item, 'event')) {
        out.push(this.#toUpdate(e));
        this.#stats.updates++;
      }
    }
    return out;
  }
}
