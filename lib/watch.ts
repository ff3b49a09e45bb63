// Watches: list-and-watch caches (Kubernetes informer style). A watch
// subscribes first, then lists, then applies every update in the kernel's
// order; on any loss marker it lists again and emits only the difference
// between what it held and the new listing. Events queued before a listing
// may be applied after it: each such event is followed in the queue by the
// event of every later change to the same object (or by a loss marker, and
// another listing), so once the kernel stops changing and the watch has
// caught up, its contents equal a fresh dump.
import { EventEmitter } from 'node:events';
import { Subscription, type SubscribeOptions, type SubscriptionMarker } from './subscription';

/** Options of the watch* calls: a subscription's, without listExisting (a watch always lists). */
export type WatchOptions = Omit<SubscribeOptions, 'listExisting'>;

/** One batch of changes, each object at most once. */
export interface WatchChange<T> {
  added: T[];
  updated: { previous: T; current: T }[];
  removed: T[];
  /** True when the batch is the difference to a listing (the first one, or one after a loss). */
  relisted: boolean;
}

export interface WatchStats {
  /** Listings made: the first one and one per loss. */
  listings: number;
  /** Updates applied. */
  updates: number;
  /** Loss markers seen (each made the watch list again). */
  lossMarkers: number;
}

/** What applying one update does: set `object` under its key, or remove it. */
export interface WatchStep<T> {
  object: T;
  remove: boolean;
}

/** How a watch of one kind of object works (see Handle's watch* methods). */
export interface WatchSpec<T, U> {
  name: string;
  subscription: Subscription<U>;
  list: () => Promise<T[]>;
  key: (object: T) => string;
  /** The step an update makes, or null for updates the watch ignores; 'relist' when only a listing can tell (a silent kernel flush). */
  step: (update: U) => WatchStep<T> | 'relist' | null;
  /** Fields the kernel changes by itself (counters, lifetimes, timers): not a change; 'a.b' for a nested field. */
  volatile: readonly string[];
}

/**
 * A live map of objects by their kernel identity. `ready` resolves once the
 * first listing is in; 'change' events carry batches of differences. A
 * fatal error (the socket failed, a listing failed) closes the watch,
 * rejects `ready` if it was pending, and is emitted as 'error' when someone
 * listens for it (`watch.error` keeps it either way). Closing its handle
 * or aborting its signal closes it without an error.
 */
export class Watch<T, U = unknown> extends EventEmitter {
  readonly ready: Promise<void>;
  #spec: WatchSpec<T, U>;
  #objects = new Map<string, T>();
  #stats: WatchStats = { listings: 0, updates: 0, lossMarkers: 0 };
  #closed = false;
  #error: Error | null = null;
  #volatile: Set<string>;

  /** @internal Made by the watch* methods of Handle. */
  constructor(spec: WatchSpec<T, U>) {
    super();
    this.#spec = spec;
    this.#volatile = new Set(spec.volatile);
    let resolveReady!: () => void;
    let rejectReady!: (err: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    // A watch nobody awaits must not become an unhandled rejection.
    this.ready.catch(() => undefined);
    let isReady = false;
    const onReady = (): void => {
      isReady = true;
      resolveReady();
    };
    void this.#run(onReady).then(
      // The subscription ended (its handle was closed, its signal aborted):
      // so does the watch, as cleanly.
      () => this.close(),
      (err: Error) => {
        // A listing cut short by the handle closing is the same end.
        if (isReady && (err as { code?: unknown }).code === 'ERR_HANDLE_CLOSED') {
          this.close();
          return;
        }
        this.#error = err;
        rejectReady(err);
        this.close();
        if (this.listenerCount('error') > 0) this.emit('error', err);
      },
    );
  }

  /** @internal A watch that could not start: `ready` rejects with `err`. */
  static failed<T, U>(name: string, err: Error): Watch<T, U> {
    return new Watch<T, U>({
      name,
      subscription: Subscription.failed<U>(name, err),
      list: () => Promise.reject(err),
      key: () => '',
      step: () => null,
      volatile: [],
    });
  }

  get size(): number {
    return this.#objects.size;
  }

  get(key: string): T | undefined {
    return this.#objects.get(key);
  }

  has(key: string): boolean {
    return this.#objects.has(key);
  }

  keys(): IterableIterator<string> {
    return this.#objects.keys();
  }

  values(): IterableIterator<T> {
    return this.#objects.values();
  }

  entries(): IterableIterator<[string, T]> {
    return this.#objects.entries();
  }

  /** The key this watch files `object` under. */
  keyOf(object: T): string {
    return this.#spec.key(object);
  }

  get stats(): WatchStats {
    return { ...this.#stats };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The error that closed the watch, or null. */
  get error(): Error | null {
    return this.#error;
  }

  /** Idempotent: closes the subscription; the map keeps its last contents. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#spec.subscription.close();
  }

  unref(): this {
    this.#spec.subscription.unref();
    return this;
  }

  ref(): this {
    this.#spec.subscription.ref();
    return this;
  }

  async #run(ready: () => void): Promise<void> {
    await this.#relist();
    ready();
    const sub = this.#spec.subscription;
    for (let batch = await sub.nextBatch(); batch !== null && !this.#closed; batch = await sub.nextBatch()) {
      // After a loss the rest of the batch is applied too, then one listing
      // settles it all: listing later than the loss is always safe, and one
      // listing serves every marker of the batch.
      const change = new ChangeSet<T>(this.#objects);
      let relist = false;
      for (const u of batch) {
        if (isMarker(u)) {
          if (u.kind === 'loss') {
            this.#stats.lossMarkers++;
            relist = true;
          }
          continue;
        }
        const step = this.#spec.step(u as U);
        if (step === 'relist') relist = true;
        if (step === null || step === 'relist') continue;
        this.#stats.updates++;
        const key = this.#spec.key(step.object);
        if (step.remove) change.remove(key);
        else change.set(key, step.object);
      }
      this.#emit(change.finish(this.#volatile, false));
      if (relist) await this.#relist();
    }
  }

  async #relist(): Promise<void> {
    const listed = await this.#spec.list();
    this.#stats.listings++;
    if (this.#closed) return;
    const change = new ChangeSet<T>(this.#objects);
    const seen = new Set<string>();
    for (const o of listed) {
      const key = this.#spec.key(o);
      seen.add(key);
      change.set(key, o);
    }
    for (const key of [...this.#objects.keys()]) if (!seen.has(key)) change.remove(key);
    this.#emit(change.finish(this.#volatile, true));
  }

  #emit(c: WatchChange<T> | null): void {
    if (c !== null && !this.#closed) this.emit('change', c);
  }
}

/**
 * Changes to a map, applied at once, remembered per key as the state before
 * the first change: a batch reports each object once (added and removed in
 * one batch: nothing).
 */
class ChangeSet<T> {
  #map: Map<string, T>;
  #before = new Map<string, T | undefined>();

  constructor(map: Map<string, T>) {
    this.#map = map;
  }

  set(key: string, object: T): void {
    if (!this.#before.has(key)) this.#before.set(key, this.#map.get(key));
    this.#map.set(key, object);
  }

  remove(key: string): void {
    if (!this.#map.has(key)) return;
    if (!this.#before.has(key)) this.#before.set(key, this.#map.get(key));
    this.#map.delete(key);
  }

  /** The batch, or null when nothing changed. */
  finish(volatile: Set<string>, relisted: boolean): WatchChange<T> | null {
    const c: WatchChange<T> = { added: [], updated: [], removed: [], relisted };
    for (const [key, previous] of this.#before) {
      const current = this.#map.get(key);
      if (previous === undefined && current !== undefined) c.added.push(current);
      else if (previous !== undefined && current === undefined) c.removed.push(previous);
      else if (previous !== undefined && current !== undefined) {
        if (!sameObject(previous, current, volatile)) c.updated.push({ previous, current });
        // Nothing but counters or lifetimes: the consumer was not told, so
        // the map keeps the object the consumer has (what 'change' batches
        // built must stay what the map holds).
        else this.#map.set(key, previous);
      }
    }
    this.#before.clear();
    return c.added.length + c.updated.length + c.removed.length > 0 || relisted ? c : null;
  }
}

function isMarker(u: unknown): u is SubscriptionMarker {
  const k = (u as { kind?: unknown }).kind;
  return k === 'loss' || k === 'listed';
}

/**
 * Equal field by field, the `volatile` fields left out: top-level names
 * ('statistics') or paths into nested objects ('slave.holdTimer').
 */
export function sameObject(a: unknown, b: unknown, volatile: Set<string>, prefix = ''): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => !volatile.has(prefix + k));
  const kb = Object.keys(b).filter((k) => !volatile.has(prefix + k));
  if (ka.length !== kb.length) return false;
  for (const k of ka)
    if (!sameObject((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], volatile, `${prefix}${k}.`))
      return false;
  return true;
}
