// npm test: every test file, by tier (a directory says what its tests need),
// each file in a process of its own.
//   unit/     nothing: no root, no kernel, no test build of the addon
//   fake/     the fake kernel or a fake binding (the test build, helpers/test-binding.ts)
//   package/  what ships: the prebuilds, the tarball's install step, its types
//   uml/      a second kernel: boots Linux 6.1 under user-mode Linux and runs guest/ inside
//   kernel/   root and the host kernel, in throwaway namespaces
//   leak/     root; LEAK_ITERATIONS calls of each kind (2 000 here; npm run test:leak: 10 000)
// kernel/ and leak/ run one file at a time, alone on the host kernel: they
// share its conntrack table (a dump walks all of it) and time what it does.
// The other tiers never touch the host's network state, so they run beside
// them, one file at a time too (--serial: all in one line, one at a time).
// Each tier's files run in name order.
//   node --import tsx test/run.ts [--serial] [tier...]    (npm test: all tiers)
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const LANES = [
  ['kernel', 'leak'],
  ['uml', 'unit', 'fake', 'package'],
];

const serial = process.argv.includes('--serial');
const wanted = process.argv.slice(2).filter((a) => a !== '--serial');
const unknown = wanted.filter((t) => !LANES.flat().includes(t));
if (unknown.length) {
  console.error(`test/run.ts: no tier ${unknown.join(', ')} (tiers: ${LANES.flat().join(', ')})`);
  process.exit(2);
}
// A test file outside the tiers would silently never run: refuse to start.
// guest/ runs inside uml/'s guest, storm/ and arm64/ in npm run test:storm and test:arm64.
const OTHERS = ['guest', 'storm', 'arm64', 'helpers', 'fixtures', 'native']; // run elsewhere, or not tests
const stray = fs
  .readdirSync(__dirname, { withFileTypes: true })
  .flatMap((e) =>
    e.isDirectory()
      ? LANES.flat().includes(e.name) || OTHERS.includes(e.name)
        ? []
        : fs.readdirSync(path.join(__dirname, e.name)).map((f) => `${e.name}/${f}`)
      : [e.name],
  )
  .filter((f) => f.endsWith('.test.ts'));
if (stray.length) {
  console.error(
    `test/run.ts: ${stray.map((f) => `test/${f}`).join(', ')} in no tier: move each to test/<tier>/, one of ${LANES.flat().join(', ')} (test/run.ts says which)`,
  );
  process.exit(2);
}
const filesOf = (tier: string): string[] =>
  fs
    .readdirSync(path.join(__dirname, tier))
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => path.join(__dirname, tier, f));

const start = performance.now();
const merged = new PassThrough({ objectMode: true });
const totals = new Map<string, number>();
const lanes = (serial ? [LANES.flat()] : LANES)
  .map((tiers) => tiers.filter((t) => wanted.length === 0 || wanted.includes(t)).flatMap(filesOf))
  .filter((files) => files.length > 0);
let open = lanes.length;
if (open === 0) merged.end();
for (const files of lanes) {
  const stream = run({ files, concurrency: 1 });
  stream.on('data', (event: { type: string; data: { nesting: number; message?: string } }) => {
    if (event.type === 'test:fail') process.exitCode = 1;
    // Each lane ends with its own counts; one summary of all comes last.
    const count =
      event.type === 'test:diagnostic' &&
      event.data.nesting === 0 &&
      /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/.exec(event.data.message ?? '');
    if (count) totals.set(count[1], (totals.get(count[1]) ?? 0) + Number(count[2]));
    else merged.write(event);
  });
  stream.on('end', () => {
    if (--open > 0) return;
    totals.set('duration_ms', performance.now() - start);
    for (const [name, n] of totals) merged.write({ type: 'test:diagnostic', data: { nesting: 0, message: `${name} ${n}` } });
    merged.end();
    // The plain closing line any reader of the log understands, after the reporter's own summary.
    merged.once('end', () =>
      setImmediate(() => process.stdout.write(`${totals.get('pass') ?? 0} passed, ${totals.get('fail') ?? 0} failed\n`)),
    );
  });
}
merged.compose(new spec()).pipe(process.stdout);
