// Reading subscriptions in tests: take updates until a condition holds or a
// deadline passes (a test never hangs on an event that does not come), and
// make sure nothing more arrives; or consume one in the background and wait
// for an update. Also the fields the kernel changes by itself (left out when
// an update or a watch is compared with a fresh dump), and a field-by-field
// difference that names the fields that differ.
import type { TestContext } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { Handle, type HandleOptions, type Subscription, type SubscriptionMarker } from '../../lib/index';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function isMarker(u: unknown): u is SubscriptionMarker {
  const k = (u as { kind?: unknown }).kind;
  return k === 'loss' || k === 'listed';
}

// A read that outlived its collect() call: the next call on the same
// subscription takes it over (a subscription has one reader at a time).
const waiting = new WeakMap<object, Promise<unknown>>();

/**
 * Batches of `sub` appended to `out` until `done(out)` or `ms` pass; then
 * `quietMs` more, so that anything extra is seen too. Returns `out`. The
 * subscription must not be read by anyone else meanwhile.
 */
export async function collect<U>(
  sub: Subscription<U>,
  done: (items: (U | SubscriptionMarker)[]) => boolean,
  ms = 20_000,
  quietMs = 300,
  out: (U | SubscriptionMarker)[] = [],
): Promise<(U | SubscriptionMarker)[]> {
  const deadline = Date.now() + ms;
  type Batch = (U | SubscriptionMarker)[] | null;
  const next = async (left: number): Promise<Batch | 'timeout'> => {
    let pending = waiting.get(sub) as Promise<Batch> | undefined;
    if (!pending) {
      pending = sub.nextBatch();
      waiting.set(sub, pending);
    }
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([pending, new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), left)))]);
    clearTimeout(timer);
    if (r !== 'timeout') waiting.delete(sub);
    return r;
  };
  while (!done(out)) {
    const left = deadline - Date.now();
    if (left <= 0) return out;
    const b = await next(left);
    if (b === 'timeout' || b === null) return out;
    out.push(...b);
  }
  for (let quiet = Date.now() + quietMs; Date.now() < quiet;) {
    const b = await next(quiet - Date.now());
    if (b === 'timeout' || b === null) break;
    out.push(...b);
  }
  return out;
}

/** The updates of `items`, markers left out. */
export function updatesOf<U>(items: (U | SubscriptionMarker)[]): U[] {
  return items.filter((u): u is U => !isMarker(u));
}

/**
 * A handle closed when the test ends, also when it fails: its open
 * subscriptions would keep the test process alive.
 */
export function openHandle(t: TestContext, options: HandleOptions): Handle {
  const h = new Handle(options);
  t.after(() => h.close());
  return h;
}

/** Every update and marker of a subscription, in order, read as it comes. */
export class Collector<U> {
  readonly items: (U | SubscriptionMarker)[] = [];
  readonly done: Promise<void>;
  error: Error | null = null;
  #waiters = new Set<() => void>();

  constructor(sub: Subscription<U>) {
    this.done = (async () => {
      try {
        for await (const u of sub) {
          this.items.push(u);
          for (const w of this.#waiters) w();
        }
      } catch (err) {
        this.error = err as Error;
      }
      for (const w of this.#waiters) w();
    })();
  }

  get updates(): U[] {
    return updatesOf(this.items);
  }

  get markers(): SubscriptionMarker[] {
    return this.items.filter(isMarker);
  }

  /** The first item from index `from` on that satisfies `pred`; rejects after `ms`. */
  async waitFor(pred: (u: U | SubscriptionMarker) => boolean, ms = 5000, from = 0): Promise<U | SubscriptionMarker> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.items.findIndex((u, k) => k >= from && pred(u));
      if (i >= 0) return this.items[i];
      if (this.error) throw this.error;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching update within ${ms} ms (${this.items.length} items seen)`);
      await new Promise<void>((resolve) => {
        const w = (): void => {
          clearTimeout(t);
          this.#waiters.delete(w);
          resolve();
        };
        const t = setTimeout(w, left);
        this.#waiters.add(w);
      });
    }
  }
}

// Fields the kernel changes without a message: counters, lifetimes, route
// cache ages, and the bridge's STP and garbage-collection timers (on the
// bridge, and on each port's `slave` data). Listed here rather than taken
// from lib/: the tests say on their own what a fresh dump may differ in.
const VOLATILE: Record<'link' | 'addr' | 'route', string[]> = {
  link: [
    'statistics',
    'helloTimer',
    'tcnTimer',
    'topologyChangeTimer',
    'gcTimer',
    'slave.messageAgeTimer',
    'slave.forwardDelayTimer',
    'slave.holdTimer',
  ],
  addr: ['preferedLft', 'validLft'],
  route: ['expires', 'cacheInfo'],
};

/** A copy of `o` without the fields the kernel changes by itself. */
export function stable<T>(kind: 'link' | 'addr' | 'route', o: T): T {
  const copy = structuredClone(o) as Record<string, unknown>;
  for (const path of VOLATILE[kind]) {
    const [a, b] = path.split('.');
    if (b === undefined) delete copy[a];
    else if (copy[a] && typeof copy[a] === 'object') delete (copy[a] as Record<string, unknown>)[b];
  }
  return copy as T;
}

/** The paths where `a` and `b` differ, with both values ([] when equal). */
export function diff(a: unknown, b: unknown, path = ''): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Buffer.isBuffer(a))
    return [`${path || '.'}: ${fmt(a)} != ${fmt(b)}`];
  const out: string[] = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
    out.push(...diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`));
  return out;
}

function fmt(v: unknown): string {
  return typeof v === 'bigint' ? `${v}n` : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
}
