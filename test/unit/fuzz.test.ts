// Proves every parser the addon registers (binding.parsers: parse.links today,
// each new family's parser automatically) survives random and mutated
// messages: each input either decodes into objects or throws a NetlinkError
// with an errno code (EBADMSG for malformed bytes); never a crash, a hang, an
// out-of-bounds read (see `npm run test:asan`), or a JS exception from the
// decoder. Seeds are real kernel captures in test/fixtures/<parser>/*.bin
// (or a fixtures directory whose name prefixes the parser's: xfrm/ for
// xfrmStates); a parser without seeds of its own gets every capture.
// Bounded in time: FUZZ_SECONDS (default 20) shared by the parsers;
// FUZZ_SEED reproduces a run. A failing input is written to $TMPDIR.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { binding } from '../../lib/binding';
import { decodeRecordsSync, type Root } from '../../lib/decode';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 20);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

/** xorshift32: reproducible from FUZZ_SEED. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function readSeeds(dir: string): Buffer[] {
  const d = path.join(FIXTURES, dir);
  if (!fs.existsSync(d)) return [];
  return fs
    .readdirSync(d)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((f) => fs.readFileSync(path.join(d, f)));
}

/** test/fixtures/<parser>, or directories whose name prefixes it; else every capture. */
function seedsFor(parser: string): Buffer[] {
  const dirs = fs.existsSync(FIXTURES)
    ? fs.readdirSync(FIXTURES).filter((d) => fs.statSync(path.join(FIXTURES, d)).isDirectory())
    : [];
  const own = dirs.filter((d) => d === parser || parser.toLowerCase().startsWith(d.toLowerCase()));
  const seeds = (own.length ? own : dirs).flatMap(readSeeds);
  return seeds.length ? seeds : [Buffer.alloc(16)];
}

/** The messages of a capture (by nlmsg_len), for splicing. */
function splitMessages(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  while (off + 16 <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < 16 || off + len > buf.length) break;
    out.push(buf.subarray(off, off + len));
    off += (len + 3) & ~3;
  }
  return out;
}

/** Offsets of plausible attribute headers inside a message (for length mutations). */
function attrOffsets(m: Buffer): number[] {
  const out: number[] = [];
  for (let off = 16; off + 4 <= m.length; off += 4) {
    const len = m.readUInt16LE(off);
    if (len >= 4 && off + len <= m.length) out.push(off);
  }
  return out;
}

type Mutator = (r: () => number, seed: Buffer, msgs: Buffer[]) => Buffer;

const EDGE16 = [0, 1, 3, 4, 5, 7, 8, 0x7fff, 0x8000, 0xfffc, 0xffff];
const EDGE32 = [0, 1, 15, 16, 17, 20, 0x7fffffff, 0xffffffff];
const pick = <T>(r: () => number, a: T[]): T => a[r() % a.length];

const mutators: [string, Mutator][] = [
  [
    'bitflips',
    (r, s) => {
      const b = Buffer.from(s);
      for (let n = 1 + (r() % 8); n > 0 && b.length; n--) b[r() % b.length] ^= 1 << (r() % 8);
      return b;
    },
  ],
  [
    'bytes',
    (r, s) => {
      const b = Buffer.from(s);
      for (let n = 1 + (r() % 4); n > 0 && b.length; n--) b[r() % b.length] = pick(r, [0, 0xff, 0x7f, 0x80, r() & 0xff]);
      return b;
    },
  ],
  ['truncate', (r, s) => s.subarray(0, r() % (s.length + 1))],
  ['extend', (r, s) => Buffer.concat([s, Buffer.from(Array.from({ length: r() % 64 }, () => r() & 0xff))])],
  [
    'nlmsg_len',
    (r, _s, msgs) => {
      const m = Buffer.from(pick(r, msgs));
      if (m.length >= 4) m.writeUInt32LE(pick(r, [...EDGE32, m.length + 1 + (r() % 8), m.length - 1 - (r() % 8)]) >>> 0, 0);
      return m;
    },
  ],
  [
    'nla_len',
    (r, _s, msgs) => {
      const m = Buffer.from(pick(r, msgs));
      const offs = attrOffsets(m);
      if (offs.length) {
        const o = pick(r, offs);
        const cur = m.readUInt16LE(o);
        m.writeUInt16LE(pick(r, [...EDGE16, cur + 1, cur - 1, cur + 4, cur - 4, cur >> 1]) & 0xffff, o);
      }
      return m;
    },
  ],
  [
    'nla_type',
    (r, _s, msgs) => {
      // Another attribute type in the same place: the parser sees a known
      // type with the wrong payload size (or nesting flag).
      const m = Buffer.from(pick(r, msgs));
      const offs = attrOffsets(m);
      if (offs.length) m.writeUInt16LE((r() % 70) | (r() % 4 === 0 ? 0x8000 : 0), pick(r, offs) + 2);
      return m;
    },
  ],
  [
    'splice',
    (r, _s, msgs) => {
      const parts: Buffer[] = [];
      for (let n = 1 + (r() % 4); n > 0; n--) {
        const a = pick(r, msgs);
        const cut = r() % (a.length + 1);
        parts.push(r() % 2 ? a : a.subarray(0, cut));
      }
      return Buffer.concat(parts);
    },
  ],
  [
    'header-only',
    (r, _s, msgs) => {
      const m = Buffer.from(pick(r, msgs).subarray(0, 16 + (r() % 24)));
      m.writeUInt32LE(m.length, 0);
      return m;
    },
  ],
  ['random', (r) => Buffer.from(Array.from({ length: r() % 512 }, () => r() & 0xff))],
  [
    'random-with-header',
    (r, _s, msgs) => {
      const body = Buffer.from(Array.from({ length: r() % 256 }, () => r() & 0xff));
      const h = Buffer.from(pick(r, msgs).subarray(0, 16));
      h.writeUInt32LE(16 + body.length, 0);
      return Buffer.concat([h, body]);
    },
  ],
];

/** One input: decoded objects or a NetlinkError-shaped error with an errno code. */
function feed(parser: string, input: Buffer): 'ok' | string {
  let raw;
  try {
    raw = binding.parse(parser, input);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return code;
    throw err;
  }
  // Whatever the parser's root schema is (each parser has its own).
  const objs = decodeRecordsSync(raw, binding.schemas[raw.root].name as Root);
  assert.equal(objs.length, raw.count);
  // Touch every value, as a caller would (JSON with bigints as strings).
  JSON.stringify(objs, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return 'ok';
}

function save(parser: string, input: Buffer): string {
  const f = path.join(os.tmpdir(), `nlwrap-fuzz-${parser}-${SEED}-${Date.now()}.bin`);
  fs.writeFileSync(f, input);
  return f;
}

const parsers = binding.parsers;

test('every registered parser has a fuzz target', () => {
  assert.ok(parsers.length >= 1);
  assert.ok(parsers.includes('links'));
});

for (const parser of parsers) {
  test(`fuzz parse.${parser} (seed ${SEED})`, (t) => {
    const seeds = seedsFor(parser);
    const msgs = seeds.flatMap(splitMessages);
    if (msgs.length === 0) msgs.push(Buffer.alloc(16));
    for (const s of seeds) feed(parser, s); // the captures themselves
    const r = rng(SEED ^ (parser.length * 0x9e3779b9));
    const budget = (SECONDS * 1000) / parsers.length;
    const end = Date.now() + budget;
    const outcomes = new Map<string, number>();
    let n = 0;
    while (Date.now() < end) {
      for (let k = 0; k < 200; k++, n++) {
        const [name, mutate] = mutators[r() % mutators.length];
        let input = mutate(r, pick(r, seeds), msgs);
        if (r() % 4 === 0) input = mutators[r() % mutators.length][1](r, input, msgs); // stacked
        let res: string;
        try {
          res = feed(parser, input);
        } catch (err) {
          assert.fail(`parse.${parser} on a ${name} input (saved to ${save(parser, input)}): ${(err as Error).stack}`);
        }
        outcomes.set(res, (outcomes.get(res) ?? 0) + 1);
      }
    }
    const summary = [...outcomes].map(([k, v]) => `${k} ${v}`).join(', ');
    t.diagnostic(`parse.${parser}: ${n} inputs in ${(budget / 1000).toFixed(1)} s, ${seeds.length} seeds: ${summary}`);
    assert.ok((outcomes.get('ok') ?? 0) > 0, 'some mutated inputs still decode');
    assert.ok((outcomes.get('EBADMSG') ?? 0) > 0, 'some are rejected as malformed');
  });
}
