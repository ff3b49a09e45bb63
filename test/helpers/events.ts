// Reading subscriptions in tests: take updates until a condition holds or a
// deadline passes (a test never hangs on an event that does not come), and
// make sure nothing more arrives.
import type { Subscription, SubscriptionMarker } from '../../lib/index';

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
