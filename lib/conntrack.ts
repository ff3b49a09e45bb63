// Conntrack (vishvananda's conntrack_linux.go): the table list and stream,
// and the filtered delete and list. Handle delegates here.
import { checkConntrackArgs, checkFilters, checkStreamOptions } from './args';
import type { Calls, DeleteOutcome } from './calls';
import { ConntrackFilter } from './conntrack-filter';
import { encodeFilters, encodeIdentities, kernelFilterArgs } from './conntrack-wire';
import type { NativeArgs } from './binding';
import type { DumpStream, StreamOptions } from './dump-stream';
import { ConntrackDeleteError, NetlinkError } from './errors';
import { withRetries } from './retry';
import type { ConntrackFlow, CustomConntrackFilter } from './types/conntrack';

type Site = { stack?: string };

/** Every flow (ConntrackTable) or expectation (ConntrackExpectTable) of a family. */
export async function conntrackTableList(c: Calls, site: Site, table: number, family: number): Promise<ConntrackFlow[]> {
  checkConntrackArgs(table, family);
  return c.dump('conntrackTableList', 'ct.dump', { table, family }, site);
}

/** conntrackTableList as a stream of batches: a 200 000-flow table in constant memory. */
export function conntrackTableStream(
  c: Calls,
  site: Site,
  table: number,
  family: number,
  options?: StreamOptions,
): DumpStream<ConntrackFlow> {
  checkConntrackArgs(table, family);
  const o = checkStreamOptions(options, 'conntrackTableStream');
  return c.stream('conntrackTableStream', 'ct.dump', { table, family }, site, o);
}

/**
 * Deletes the flows that match any of the filters; resolves to how many
 * were deleted (a flow already gone, ENOENT, counts). ConntrackFilters are
 * matched natively on the dump and the deletes are pipelined; any custom
 * filter (an object with matchConntrackFlow) makes the call list the flows
 * in JS first. Each delete names the exact flow (tuple, zone, id). When
 * some deletes fail, the rest are still done and the call rejects with a
 * ConntrackDeleteError carrying .deleted and .errors. timeoutMs bounds the
 * whole call (dump, deletes, retries): when it runs out, or the handle is
 * closed during the deletes, the call rejects with a ConntrackDeleteError
 * whose code is 'ETIMEDOUT' (or the cause's) and whose .deleted counts what
 * was deleted before.
 */
export async function conntrackDeleteFilters(
  c: Calls,
  site: Site,
  table: number,
  family: number,
  filters: CustomConntrackFilter[],
): Promise<number> {
  const name = 'conntrackDeleteFilters';
  checkConntrackArgs(table, family);
  const builtIn = checkFilters(filters, name);
  if (filters.length === 0) return 0;
  const deadline = performance.now() + c.timeoutMs;
  let result: DeleteResult;
  try {
    if (builtIn) {
      result = await nativeDelete(c, name, table, family, filters as ConntrackFilter[], false, site, deadline);
    } else {
      const flows = await c.dump(name, 'ct.dump', { table, family }, site, undefined, deadline);
      // A custom filter that throws stops the call here, before any delete.
      const chosen = flows.filter((f) => filters.some((x) => x.matchConntrackFlow(f)));
      const ids = encodeIdentities(chosen, table);
      if (ids.flows.length === 0) return 0;
      const { items, reply } = await c.call(name, 'ct.deleteExact', { table, flows: ids.bytes }, deadline);
      result = deleteResult(name, reply.result, items, (i) => ids.flows[i]);
    }
  } catch (err) {
    // Out of time before any delete was sent: nothing was deleted.
    if (err instanceof NetlinkError && err.code === 'ETIMEDOUT') throw new ConntrackDeleteError(name, 0, [], err);
    throw err;
  }
  if (result.stop || result.errors.length > 0) throw new ConntrackDeleteError(name, result.deleted, result.errors, result.stop);
  return result.deleted;
}

/**
 * The flows that conntrackDeleteFilters would delete for these
 * ConntrackFilters, matched natively, without deleting anything.
 */
export async function conntrackListFiltered(
  c: Calls,
  site: Site,
  table: number,
  family: number,
  filters: ConntrackFilter[],
): Promise<ConntrackFlow[]> {
  const name = 'conntrackListFiltered';
  checkConntrackArgs(table, family);
  if (!checkFilters(filters, name)) throw new TypeError(`${name}: only ConntrackFilter instances can be matched natively`);
  if (filters.length === 0) return [];
  const flows: ConntrackFlow[] = [];
  await nativeDelete(c, name, table, family, filters, true, site, performance.now() + c.timeoutMs, flows);
  return flows;
}

/** ct.delete under the retry policy: an interrupted dump deletes nothing, except on the last attempt of 'return'. */
async function nativeDelete(
  c: Calls,
  name: string,
  table: number,
  family: number,
  filters: ConntrackFilter[],
  dryRun: boolean,
  site: { stack?: string },
  deadline: number,
  matched?: ConntrackFlow[],
): Promise<DeleteResult> {
  c.stats.calls++;
  const args: NativeArgs = {
    table,
    family,
    filters: encodeFilters(filters),
    dryRun,
    ...kernelFilterArgs(filters, table, family),
  };
  let attempt = 0;
  let result: DeleteResult = { deleted: 0, errors: [] };
  await withRetries<number>(name, c.policy, c.stats, site, async () => {
    attempt++;
    const force = attempt === c.policy.maxAttempts && c.policy.onInterrupted === 'return';
    const { items, reply } = await c.call(name, 'ct.delete', { ...args, force }, deadline);
    if (dryRun && matched) {
      matched.length = 0;
      for (const o of items) if (o.flow) matched.push(o.flow);
    }
    result = dryRun ? { deleted: reply.result, errors: [] } : deleteResult(name, reply.result, items, () => null);
    return { value: reply.result, interrupted: reply.interrupted };
  });
  return result;
}

/** A conntrack delete's result: how many were deleted, the failures, and why it stopped early if it did. */
interface DeleteResult {
  deleted: number;
  errors: NetlinkError[];
  stop?: NetlinkError;
}

function describeFlow(f: ConntrackFlow | null): string {
  if (!f) return 'flow';
  const t = f.forward;
  const ports = t.srcPort !== null ? ` sport=${t.srcPort} dport=${t.dstPort}` : '';
  return `flow proto=${t.protocol} src=${t.srcIp} dst=${t.dstIp}${ports} zone=${f.zone} id=${f.id}`;
}

function deleteResult(
  name: string,
  deleted: number,
  outcomes: DeleteOutcome[],
  flowAt: (i: number) => ConntrackFlow | null,
): DeleteResult {
  const stopped = outcomes.find((o) => o.stopped === true);
  const stop = stopped
    ? new NetlinkError(`${name}: ${stopped.message ?? stopped.code}`, stopped.code as string, stopped.errnum ?? 0, name)
    : undefined;
  return { deleted, errors: deleteErrors(name, outcomes, flowAt), stop };
}

function deleteErrors(name: string, outcomes: DeleteOutcome[], flowAt: (i: number) => ConntrackFlow | null): NetlinkError[] {
  return outcomes
    .filter((o) => o.code !== null && o.stopped !== true)
    .map((o) => {
      const flow = o.flow ?? flowAt(o.index as number);
      const err = new NetlinkError(
        `${name}: deleting ${describeFlow(flow)} failed: ${o.code}`,
        o.code as string,
        o.errnum ?? 0,
        name,
      );
      return Object.assign(err, { flow });
    });
}
