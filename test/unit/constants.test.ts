// Proves the generated TypeScript is what the loaded addon says: lib/uapi.ts
// is what scripts/gen-uapi.js renders from the addon's constants (taken from
// the kernel's uapi headers), and lib/generated/ is what
// scripts/gen-decoders.ts renders from the addon's record schemas and
// operation argument declarations; an out of
// date file fails with the command that rewrites it. And the generated
// decoders refuse, at load, an addon whose schemas they were not made from.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { binding } from '../../lib/binding';
import { ARGS_FILE, DECODERS_FILE, RECORDS_FILE, render as renderDecoders } from '../../scripts/gen-decoders';

const root = path.join(__dirname, '..', '..');
const REGENERATE = 'regenerate it from the built addon with `npm run gen` (`npm run build` does it after the native build)';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script without types
const { render: renderUapi } = require('../../scripts/gen-uapi.js') as { render(c: Record<string, number>): string };

function assertUpToDate(file: string, expected: string): void {
  const actual = fs.readFileSync(file, 'utf8');
  assert.ok(actual === expected, `${path.relative(root, file)} is out of date with the loaded addon: ${REGENERATE}`);
}

test('lib/uapi.ts is what gen-uapi renders from the addon constants', () => {
  assert.ok(Object.keys(binding.constants).length > 100);
  assertUpToDate(path.join(root, 'lib', 'uapi.ts'), renderUapi(binding.constants));
});

test('lib/generated/ is what gen-decoders renders from the addon schemas and argument declarations', async () => {
  const { records, decoders, args } = await renderDecoders(binding);
  assertUpToDate(RECORDS_FILE, records);
  assertUpToDate(DECODERS_FILE, decoders);
  assertUpToDate(ARGS_FILE, args);
});

test('an out of date generated file fails with the command that regenerates it', async () => {
  const changed = structuredClone(binding.schemas);
  changed.find((s) => s.name === 'addr')!.fields.find((f) => f.name === 'label')!.name = 'labelRenamed';
  const { decoders } = await renderDecoders({ ...binding, schemas: changed });
  assert.throws(() => assertUpToDate(DECODERS_FILE, decoders), /lib\/generated\/decoders\.ts is out of date .*npm run gen/);
  const opArgs = structuredClone(binding.opArgs);
  opArgs['link.get'].find((f) => f.name === 'index')!.optional = false;
  const { args } = await renderDecoders({ ...binding, opArgs });
  assert.throws(() => assertUpToDate(ARGS_FILE, args), /lib\/generated\/args\.ts is out of date .*npm run gen/);
});

/** Loads the generated decoders in a child process after `tamper` changed the addon's schemas. */
function loadWith(tamper: string): { status: number | null; stderr: string } {
  const code = `
    const { binding } = require(${JSON.stringify(path.join(root, 'lib', 'binding.ts'))});
    const s = binding.schemas;
    ${tamper}
    require(${JSON.stringify(DECODERS_FILE)});`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

test('the generated decoders refuse at load an addon built from other schemas', () => {
  assert.equal(loadWith('').status, 0, 'the untouched addon loads');
  const id = (name: string): number => (binding.schemas.find((x) => x.name === name) as { id: number }).id;
  const [first, second] = binding.schemas;
  const cases: [string, RegExp][] = [
    // A field's type changed: its cells would be read as the wrong kind.
    [
      `s.find((x) => x.name === 'route').fields.find((f) => f.name === 'table').type = 'str';`,
      new RegExp(
        `schema ${id('route')} \\(route in the addon, route in lib/generated/decoders\\.ts\\) has table:str@11 in the addon, table:num@11 in`,
      ),
    ],
    // A field added in the middle: every later cell moves.
    [
      `const a = s.find((x) => x.name === 'addr'); a.fields.splice(1, 0, { name: 'extra', type: 'num', cell: 1, child: '' }); a.cells++;`,
      new RegExp(`schema ${id('addr')} \\(addr .*\\) has 12 in the addon, 11 in`),
    ],
    // Schemas registered in another order: ids differ.
    [
      `s.push(s.shift()); s.forEach((x, i) => (x.id = i));`,
      new RegExp(`schema 0 \\(${second.name} in the addon, ${first.name} in lib/generated/decoders\\.ts\\)`),
    ],
    // A link kind added.
    [
      `s.find((x) => x.name === 'link').fields.find((f) => f.name === 'kindData').variants.wireguard = 'vrf';`,
      new RegExp(`schema ${id('link')} \\(link .*\\) has kindData:variant@\\d+\\{.*wireguard=vrf\\} in the addon`),
    ],
  ];
  for (const [tamper, message] of cases) {
    const r = loadWith(tamper);
    assert.notEqual(r.status, 0, tamper);
    assert.match(r.stderr, /the native addon's record schemas differ from the decoders in lib\/generated\/decoders\.ts/);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /npm run build/);
  }
});
