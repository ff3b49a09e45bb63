// Errors are values with a stable `code`: an errno name from the kernel
// ('ENODEV'), or a library code ('ETIMEDOUT', 'ERR_HANDLE_CLOSED',
// 'NLM_F_DUMP_INTR', 'ERR_CONNTRACK_DELETE'). Callers branch on `code`, never
// on the message.

export class NetlinkError extends Error {
  /** errno name ('ENOENT') or library code. */
  readonly code: string;
  /** The errno, or 0 for library codes that have none. */
  readonly errno: number;
  /** The call that failed ('linkList', 'link.dump', ...). */
  readonly op: string;
  /** The kernel's extended-ACK message, when it sent one. */
  readonly extack?: string;

  constructor(message: string, code: string, errno = 0, op = '', extack?: string) {
    super(message);
    this.name = 'NetlinkError';
    this.code = code;
    this.errno = errno;
    this.op = op;
    if (extack !== undefined) this.extack = extack;
  }
}

export class LinkNotFoundError extends NetlinkError {
  constructor(what: string, op: string) {
    super(`link not found: ${what}`, 'ENODEV', 19, op);
    this.name = 'LinkNotFoundError';
  }
}

/** Every attempt of a dump was flagged NLM_F_DUMP_INTR (onInterrupted: 'throw'). */
export class DumpInterruptedError<T = unknown> extends NetlinkError {
  /** The last attempt's results: complete, but possibly inconsistent. */
  readonly partial: T;
  readonly attempts: number;

  constructor(op: string, attempts: number, partial: T) {
    super(
      `${op}: the kernel flagged the dump as interrupted (NLM_F_DUMP_INTR) on all ${attempts} attempts; results may be inconsistent`,
      'NLM_F_DUMP_INTR',
      0,
      op,
    );
    this.name = 'DumpInterruptedError';
    this.partial = partial;
    this.attempts = attempts;
  }
}

/**
 * A conntrack delete that did not fully succeed; `.deleted` says how many
 * flows it deleted all the same. Either some deletes failed and the others
 * were done (code 'ERR_CONNTRACK_DELETE', the failures in `.errors`), or the
 * call stopped before it finished: then `code` is the cause's ('ETIMEDOUT'
 * when timeoutMs ran out, 'ERR_HANDLE_CLOSED', ...) and `.cause` is that
 * error; flows not reached were not deleted.
 */
export class ConntrackDeleteError extends NetlinkError {
  readonly deleted: number;
  readonly errors: NetlinkError[];

  constructor(op: string, deleted: number, errors: NetlinkError[], stop?: NetlinkError) {
    super(
      stop
        ? `${op}: stopped (${stop.code}) after deleting ${deleted} flow(s)${errors.length ? `, ${errors.length} delete(s) failed` : ''}`
        : `${op}: ${errors.length} conntrack delete(s) failed (${errors[0]?.code ?? 'unknown'} first), ${deleted} done`,
      stop ? stop.code : 'ERR_CONNTRACK_DELETE',
      stop ? stop.errno : 0,
      op,
    );
    this.name = 'ConntrackDeleteError';
    this.deleted = deleted;
    this.errors = errors;
    if (stop) Object.defineProperty(this, 'cause', { value: stop, writable: true, configurable: true });
  }
}

interface NativeErrorShape {
  message?: unknown;
  code?: unknown;
  errno?: unknown;
  op?: unknown;
  extack?: unknown;
}

/** Turns an error thrown or rejected by the addon into a NetlinkError. */
export function fromNative(err: unknown, op: string): Error {
  if (err instanceof NetlinkError || err instanceof TypeError || err instanceof RangeError) return err;
  const e = (err ?? {}) as NativeErrorShape;
  if (typeof e.code !== 'string') return err instanceof Error ? err : new Error(String(err));
  return new NetlinkError(
    `${op}: ${typeof e.message === 'string' ? e.message : e.code}`,
    e.code,
    typeof e.errno === 'number' ? e.errno : 0,
    op,
    typeof e.extack === 'string' ? e.extack : undefined,
  );
}

export function handleClosedError(op: string): NetlinkError {
  return new NetlinkError(`${op}: the handle is closed`, 'ERR_HANDLE_CLOSED', 0, op);
}
