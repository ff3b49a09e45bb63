// The retry contract for dumps the kernel flags NLM_F_DUMP_INTR (from moby's
// nlwrap): up to maxAttempts complete attempts, no delay; any other error
// stops at once. When every attempt was interrupted, either return the last
// (possibly inconsistent) results and log it with the caller's stack, or
// reject with DumpInterruptedError.
import createDebug from 'debug';
import { DumpInterruptedError } from './errors';

export interface Logger {
  warn(message: string, details: object): void;
}

export interface InterruptedDetails {
  op: string;
  attempts: number;
  /** Stack of the call into nlwrap that was interrupted. */
  stack: string;
}

export interface RetryPolicy {
  maxAttempts: number;
  onInterrupted: 'return' | 'throw';
  logger: Logger;
}

export interface HandleStats {
  /** Calls made on the handle (each counts once, whatever its attempts). */
  calls: number;
  /** Attempts the kernel flagged NLM_F_DUMP_INTR. */
  interruptedAttempts: number;
  /** Calls whose every attempt was interrupted. */
  exhaustedCalls: number;
}

export interface Attempt<T> {
  value: T;
  interrupted: boolean;
}

const debug = createDebug('nlwrap');
let warnedOnce = false;

/**
 * The default logger: every exhausted call goes to debug('nlwrap') with the
 * caller's stack; the first one in the process also becomes a process
 * warning, so it is seen without flooding a busy agent's log.
 */
export const defaultLogger: Logger = {
  warn(message: string, details: object): void {
    const d = details as Partial<InterruptedDetails>;
    debug('%s\n%s', message, d.stack ?? '');
    if (!warnedOnce) {
      warnedOnce = true;
      process.emitWarning(message, { code: 'NLWRAP_DUMP_INTERRUPTED', detail: d.stack });
    }
  },
};

/** The caller's stack, captured when the call enters nlwrap. */
export function callerStack(skip: (...args: never[]) => unknown): { stack?: string } {
  const site: { stack?: string } = {};
  Error.captureStackTrace(site, skip);
  return site;
}

export async function withRetries<T>(
  op: string,
  policy: RetryPolicy,
  stats: HandleStats,
  site: { stack?: string },
  attempt: () => Promise<Attempt<T>>,
): Promise<T> {
  let last: Attempt<T> | undefined;
  for (let i = 1; i <= policy.maxAttempts; i++) {
    last = await attempt();
    if (!last.interrupted) return last.value;
    stats.interruptedAttempts++;
  }
  stats.exhaustedCalls++;
  const value = (last as Attempt<T>).value;
  if (policy.onInterrupted === 'throw') throw new DumpInterruptedError<T>(op, policy.maxAttempts, value);
  const stack = (site.stack ?? '').split('\n').slice(1).join('\n');
  policy.logger.warn(
    `nlwrap: ${op} was interrupted (NLM_F_DUMP_INTR) ${policy.maxAttempts} times; returning possibly inconsistent results`,
    { op, attempts: policy.maxAttempts, stack } satisfies InterruptedDetails,
  );
  return value;
}
