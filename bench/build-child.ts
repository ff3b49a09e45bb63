// One build of nlwrap timed in a fresh process, for bench/compare.ts:
//   node --expose-gc --import tsx bench/build-child.ts PKG_DIR NS KIND REPS
// PKG_DIR is a checkout whose dist/ is built (this one, or a baseline).
// Prints one JSON line: the process's first call of KIND (the handle opened
// before, untimed) and the warm median of REPS calls (bench/timing.ts).
import { createRequire } from 'node:module';
import path from 'node:path';
import { KINDS, type Kind } from './peers';
import { callConstants, kindCall, timeCalls, type BenchApi } from './timing';

async function main(): Promise<void> {
  const [pkgDir, ns, kind, repsArg] = process.argv.slice(2);
  if (!pkgDir || !ns || !KINDS.includes(kind as Kind) || !(Number(repsArg) >= 1))
    throw new Error('usage: build-child.ts PKG_DIR NS KIND REPS');
  const requireFrom = createRequire(path.resolve(pkgDir, 'package.json'));
  const nl = requireFrom('./dist/index.js') as Record<string, unknown> & {
    Handle: new (o: { netns: string }) => BenchApi;
  };
  const h = new nl.Handle({ netns: ns });
  const call = kindCall(h, kind as Kind, callConstants(nl));
  if (typeof call !== 'function') throw new Error(call.skip);
  const t0 = process.hrtime.bigint();
  await call();
  const firstMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const warm = await timeCalls(h, call, Number(repsArg));
  h.close();
  if (warm.skip !== undefined) throw new Error(warm.skip);
  console.log(JSON.stringify({ firstMs, count: warm.count, ms: warm.ms, cpuMs: warm.extra?.cpuMs }));
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exitCode = 1;
});
