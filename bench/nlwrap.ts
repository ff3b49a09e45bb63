// nlwrap in-process: one Handle on the bench namespace, repeated calls, the
// median per call from the call to the resolved array of typed objects.
// It loads the compiled package (dist/, built by `prebench`), the code users
// run: tsx's transpile of lib/ turns every imported constant into a getter.
//
// The calls are written against DESIGN.md's names. Those whose method (or
// constant, or ConntrackFilter) is not in this build yet are reported as
// skipped with the reason, so the bench runs on any branch and picks up each
// family as it is merged.
import * as nl from '../dist/index.js';
import { median, type Kind, type PeerResult } from './peers';
import { callConstants, kindCall as kindCallOf, missing, timeCalls, type AnyList, type BenchApi } from './timing';

export { timeCalls, type BenchApi };

interface FilterLike {
  addMark?: (value: number, mask: number) => FilterLike;
}

const exported = nl as unknown as Record<string, unknown>;
const CONSTANTS = callConstants(exported);
export const { FAMILY_ALL, RT_FILTER_TABLE, ConntrackTable } = CONSTANTS;

/** The call for each kind in this build, or why it cannot be made. */
export function kindCall(h: BenchApi, kind: Kind): (() => AnyList) | PeerResult {
  return kindCallOf(h, kind, CONSTANTS);
}

export function openHandle(ns: string): BenchApi {
  return new nl.Handle({ netns: ns }) as unknown as BenchApi;
}

/** addrList(oneLink): kernel-side filtered vs all addresses filtered in JS. */
export async function addrOneLink(
  h: BenchApi,
  ifindex: number,
  reps: number,
): Promise<{ kernel: PeerResult; client: PeerResult }> {
  if (typeof h.addrList !== 'function') return { kernel: missing('addrList'), client: missing('addrList') };
  const kernel = await timeCalls(h, () => h.addrList!(ifindex, FAMILY_ALL), reps);
  const client = await timeCalls(
    h,
    async () => ((await h.addrList!(null, FAMILY_ALL)) as { linkIndex?: number }[]).filter((a) => a.linkIndex === ifindex),
    reps,
  );
  return { kernel, client };
}

/** A ConntrackFilter matching mark m, or why there is none. */
export function markFilter(mark: number): { filter: FilterLike } | { skip: string } {
  const Ctor = exported.ConntrackFilter as (new () => FilterLike) | undefined;
  if (typeof Ctor !== 'function') return { skip: 'ConntrackFilter not in this build yet' };
  const f = new Ctor();
  if (typeof f.addMark !== 'function') return { skip: 'ConntrackFilter.addMark not in this build yet' };
  return { filter: f.addMark(mark, 0xffffffff) };
}

/** conntrackDeleteFilters with a mark filter, once per mark; median ms and counts. */
export async function deleteByMark(h: BenchApi, marks: number[]): Promise<PeerResult & { deleted?: number[] }> {
  if (typeof h.conntrackDeleteFilters !== 'function') return missing('conntrackDeleteFilters');
  const times: number[] = [];
  const deleted: number[] = [];
  for (const m of marks) {
    const f = markFilter(m);
    if ('skip' in f) return f;
    try {
      const t0 = process.hrtime.bigint();
      deleted.push(await h.conntrackDeleteFilters(ConntrackTable, FAMILY_ALL, f.filter));
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    } catch (err) {
      return { skip: `failed: ${(err as Error).message}` };
    }
  }
  return { ms: median(times), deleted, count: deleted[0] };
}
