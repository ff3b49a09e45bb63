// The plumbing every call of a Handle shares: one request read to its end
// (call), a dump under the retry policy (dump), a stream, a subscription.
// The per-family modules (link.ts, addr.ts, route.ts, xfrm.ts,
// conntrack.ts) make their calls through it; Handle only delegates.
import createDebug from 'debug';
import type { CheckedStreamOptions, CheckedSubscribeOptions } from './args';
import { bare } from './args';
import type { NativeEnd, NativeEventSource, NativeHandle, NativeRecords } from './binding';
import type { OpArgs, OpName } from './generated/args';
import { FAMILY_V4, FAMILY_V6 } from './constants';
import { ChunkSlicer, type DeleteOutcome, type Root, type Roots } from './decode';
import { DumpStream, type StreamEnd } from './dump-stream';
import { fromNative, handleClosedError, NetlinkError } from './errors';
import { nativeRequest } from './native-request';
import { withRetries, type HandleStats, type RetryPolicy } from './retry';
import { failedStream, Subscription, type EventRecord } from './subscription';

/** Counters of one handle; see HandleStats. */
export interface HandleCounters extends HandleStats {
  /** Bytes received from the kernel, all calls. */
  bytesReceived: number;
  /** Data messages received from the kernel, all calls. */
  messagesReceived: number;
}

// debug namespace: DEBUG=nlwrap:socket shows every request.
const debugSocket = createDebug('nlwrap:socket');

/** The records each operation's reply holds (its root schema), for every op the addon declares. */
const OP_ROOTS = {
  'link.dump': 'link',
  'link.get': 'link',
  'addr.dump': 'addr',
  'route.dump': 'route',
  'xfrm.policy.dump': 'xfrm_policy',
  'xfrm.state.dump': 'xfrm_state',
  'ct.dump': 'ct_flow',
  'ct.match': 'ct_flow',
  'ct.matchIdentities': 'ct_identities',
  'ct.deleteExact': 'ct_outcome',
} as const satisfies Record<OpName, Root>;
export type Op = keyof typeof OP_ROOTS;
/** The arguments of `O`, as the addon declares them (lib/generated/args.ts). */
export type ArgsOf<O extends Op> = OpArgs[O];
/** The objects a reply of `O` decodes to. */
export type ItemOf<O extends Op> = Roots[(typeof OP_ROOTS)[O]];
export type { DeleteOutcome };

export function timedOut(name: string): NetlinkError {
  return new NetlinkError(`${name}: netlink request timed out`, 'ETIMEDOUT', 110, name);
}

/** One Handle's native side, policy and counters. */
export class Calls {
  readonly native: NativeHandle;
  readonly policy: RetryPolicy;
  readonly timeoutMs: number;
  readonly stats: HandleCounters = {
    calls: 0,
    interruptedAttempts: 0,
    exhaustedCalls: 0,
    bytesReceived: 0,
    messagesReceived: 0,
  };
  /** Set for good when the kernel refuses RTM_GETLINK by name (EINVAL): link.ts dumps and matches. */
  linkByNameByDump = false;

  constructor(native: NativeHandle, policy: RetryPolicy, timeoutMs: number) {
    this.native = native;
    this.policy = policy;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Sends one request and decodes its reply: no retries. Records are decoded
   * here while the addon's thread reads on. With a deadline (a call made of
   * several requests), the request gets what is left of the call's time.
   */
  async call<O extends Op>(
    name: string,
    op: O,
    args: ArgsOf<O>,
    deadline?: number,
  ): Promise<{ items: ItemOf<O>[]; reply: NativeEnd }> {
    if (this.native.closed) throw handleClosedError(name);
    const timeoutMs = deadline === undefined ? this.timeoutMs : Math.ceil(deadline - performance.now());
    if (timeoutMs <= 0) throw timedOut(name);
    const { items, reply } = await nativeRequest(this.native, name, op, bare(args), timeoutMs, OP_ROOTS[op]);
    this.stats.bytesReceived += reply.bytes;
    this.stats.messagesReceived += reply.messages;
    debugSocket(
      '%s (%s): %d bytes in %d datagrams, %d messages%s',
      name,
      op,
      reply.bytes,
      reply.datagrams,
      reply.messages,
      reply.interrupted ? ', NLM_F_DUMP_INTR' : '',
    );
    return { items, reply };
  }

  /** One request, counted as a call. */
  async request<O extends Op>(name: string, op: O, args: ArgsOf<O>): Promise<ItemOf<O>[]> {
    this.stats.calls++;
    return (await this.call(name, op, args)).items;
  }

  /** A dump under the retry policy. */
  async dump<O extends Op>(
    name: string,
    op: O,
    args: ArgsOf<O>,
    site: { stack?: string },
    onReply?: (reply: NativeEnd) => void,
    deadline?: number,
  ): Promise<ItemOf<O>[]> {
    this.stats.calls++;
    return withRetries<ItemOf<O>[]>(name, this.policy, this.stats, site, async () => {
      const { items, reply } = await this.call(name, op, args, deadline);
      onReply?.(reply);
      return { value: items, interrupted: reply.interrupted };
    });
  }

  /**
   * A dump as a stream of batches (one attempt, see dump-stream.ts); `keep`
   * is the list call's own filter and shaping of a decoded chunk.
   */
  stream<O extends Op, T = ItemOf<O>>(
    name: string,
    op: O,
    args: ArgsOf<O>,
    site: { stack?: string },
    options: CheckedStreamOptions,
    keep: (items: ItemOf<O>[]) => T[] = (items) => items as unknown as T[],
  ): DumpStream<T> {
    this.stats.calls++;
    const root = OP_ROOTS[op];
    return new DumpStream<T>(
      {
        name,
        native: this.native,
        op,
        args: bare(args),
        timeoutMs: this.timeoutMs,
        policy: this.policy,
        site,
        open: (chunk: NativeRecords) => new ChunkSlicer(chunk, root),
        keep: keep as (items: Roots[Root][]) => T[],
        onEnd: (end: StreamEnd) => {
          this.stats.bytesReceived += end.bytes;
          this.stats.messagesReceived += end.messages;
          if (end.interrupted) this.stats.interruptedAttempts++;
        },
      },
      options,
    );
  }

  /**
   * A subscription to `groups` of an event source (rtnetlink unless
   * `source` says otherwise; `filter`: the source's own native filter).
   * Its socket is opened and joined here, so a listing made next misses
   * nothing; what the kernel refuses arrives through the iterator.
   */
  subscribe<U>(
    name: string,
    groups: number[],
    o: CheckedSubscribeOptions,
    toUpdate: (e: EventRecord) => U,
    existing: (() => Promise<U[]>) | null,
    source: NativeEventSource = 'rtnetlink',
    filter: { family?: number; filters?: Uint8Array } = {},
  ): Subscription<U> {
    let stream;
    try {
      if (this.native.closed) throw handleClosedError(name);
      stream = this.native.subscribe(
        bare({
          source,
          groups: new Uint8Array(Uint32Array.from(groups).buffer),
          rcvbuf: o.rcvbuf,
          rcvbufForce: o.rcvbufForce,
          maxQueued: o.maxQueued,
          ...filter,
        }),
      );
    } catch (err) {
      stream = failedStream(fromNative(err, name));
    }
    return new Subscription<U>(stream, name, toUpdate, existing, o.signal);
  }
}

/** The multicast groups of one family or both. */
export function groupsOf(family: number, v4: number, v6: number): number[] {
  if (family === FAMILY_V4) return [v4];
  if (family === FAMILY_V6) return [v6];
  return [v4, v6];
}
