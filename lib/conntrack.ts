// Conntrack (vishvananda's conntrack_linux.go): the table list and stream,
// and the filtered delete and list. Handle delegates here. The retry policy
// of a delete is decided here, never natively: the addon matches
// (ct.match, ct.matchIdentities) and deletes exactly what it is given
// (ct.deleteExact).
import { checkConntrackArgs, checkFilters, checkStreamOptions } from './args';
import type { Calls, DeleteOutcome } from './calls';
import { ConntrackFilter } from './conntrack-filter';
import { encodeFilters, encodeIdentities, kernelFilterArgs } from './conntrack-wire';
import type { OpArgs } from './generated/args';
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
 * matched natively on the dump (ct.matchIdentities: no flow object is
 * built) and the deletes are pipelined; any custom filter (an object with
 * matchConntrackFlow) makes the call list the flows in JS first. Either way
 * the deletes are one ct.deleteExact: each names the exact flow (tuple,
 * zone, id). When some deletes fail, the rest are still done and the call
 * rejects with a ConntrackDeleteError carrying .deleted and .errors.
 * timeoutMs bounds the whole call (match, deletes, retries): when it runs
 * out, or the handle is closed during the deletes, the call rejects with a
 * ConntrackDeleteError whose code is 'ETIMEDOUT' (or the cause's) and whose
 * .deleted counts what was deleted before.
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
    let identities: Buffer;
    let flowAt: (i: number) => ConntrackFlow | null = () => null;
    if (builtIn) {
      identities = await matchIdentities(c, name, table, family, filters as ConntrackFilter[], site, deadline);
    } else {
      const flows = await c.dump(name, 'ct.dump', { table, family }, site, undefined, deadline);
      // A custom filter that throws stops the call here, before any delete.
      const chosen = flows.filter((f) => filters.some((x) => x.matchConntrackFlow(f)));
      const ids = encodeIdentities(chosen, table);
      identities = ids.bytes;
      flowAt = (i) => ids.flows[i];
    }
    if (identities.length === 0) return 0;
    const { items, reply } = await c.call(name, 'ct.deleteExact', { table, flows: identities }, deadline);
    result = deleteResult(name, reply.result, items, flowAt);
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
 * ConntrackFilters, matched natively (ct.match), without deleting anything.
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
  return c.dump(name, 'ct.match', matchArgs(table, family, filters), site, undefined, performance.now() + c.timeoutMs);
}

/** ct.match's arguments: the filters, and what the kernel can filter of them. */
function matchArgs(table: number, family: number, filters: ConntrackFilter[]): OpArgs['ct.match'] {
  return { table, family, filters: encodeFilters(filters), ...kernelFilterArgs(filters, table, family) };
}

/**
 * The identities of the flows that match, under the retry policy: an
 * interrupted match is retried and deletes nothing, except on the last
 * attempt of 'return'; under 'throw' the DumpInterruptedError's partial is
 * 0, the flows deleted.
 */
async function matchIdentities(
  c: Calls,
  name: string,
  table: number,
  family: number,
  filters: ConntrackFilter[],
  site: Site,
  deadline: number,
): Promise<Buffer> {
  c.stats.calls++;
  const args = matchArgs(table, family, filters);
  let identities: Buffer = Buffer.alloc(0);
  await withRetries<number>(name, c.policy, c.stats, site, async () => {
    const { items, reply } = await c.call(name, 'ct.matchIdentities', args, deadline);
    identities = items[0]?.identities ?? Buffer.alloc(0);
    return { value: 0, interrupted: reply.interrupted };
  });
  return identities;
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
      // The caller's own flow when it has one (custom filters): the
      // native one holds only what the identity names.
      const flow = flowAt(o.index as number) ?? o.flow;
      const err = new NetlinkError(
        `${name}: deleting ${describeFlow(flow)} failed: ${o.code}`,
        o.code as string,
        o.errnum ?? 0,
        name,
      );
      return Object.assign(err, { flow });
    });
}
