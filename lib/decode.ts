// Builds JS objects from the addon's flat records (src-native/record.h).
//
// For each schema the addon exports (field names, types, cell offsets), a
// decoder function is generated once, at first use, that reads the cells and
// returns one object literal: every object of a schema then has the same
// hidden class, and building 100 000 routes costs one pass over a
// Float64Array instead of a million N-API property sets. Large results are
// decoded in slices with a yield to the event loop between them, so timers
// keep running during a 200 000-flow dump.
import { binding, type NativeRecords, type NativeSchema } from './binding';

type Decoder = (ctx: DecodeContext, index: number) => Record<string, unknown>;

/** Everything a generated decoder reads, for one reply. */
class DecodeContext {
  readonly f: (Float64Array | undefined)[];
  readonly b: (BigUint64Array | undefined)[];
  private readonly strs: (string | undefined)[];

  constructor(private readonly raw: NativeRecords) {
    this.f = raw.cells;
    this.b = raw.cells.map((c) => (c ? new BigUint64Array(c.buffer, c.byteOffset, c.length) : undefined));
    this.strs = new Array<string | undefined>(raw.stringOffsets.length);
  }

  s(index: number): string {
    let v = this.strs[index];
    if (v === undefined) {
      const off = this.raw.stringOffsets;
      v = this.raw.strings.substring(off[index], off[index + 1]);
      this.strs[index] = v;
    }
    return v;
  }

  strList(first: number, count: number): string[] {
    const out = new Array<string>(count);
    for (let k = 0; k < count; k++) out[k] = this.s(this.raw.stringLists[first + k]);
    return out;
  }

  bytes(offset: number, length: number): Buffer {
    // A copy: results must not keep the whole reply's blob alive.
    return Buffer.from(this.raw.blob.subarray(offset, offset + length));
  }

  list(schema: number, first: number, count: number): Record<string, unknown>[] {
    const dec = decoderFor(schema);
    const out = new Array<Record<string, unknown>>(count);
    for (let k = 0; k < count; k++) out[k] = dec(this, first + k);
    return out;
  }

  obj(schema: number, index: number): Record<string, unknown> {
    return decoderFor(schema)(this, index);
  }
}

const schemasByName = new Map<string, NativeSchema>(binding.schemas.map((s) => [s.name, s]));
const decoders: Decoder[] = [];

function childId(schema: NativeSchema, child: string): number {
  const s = schemasByName.get(child);
  if (!s) throw new Error(`schema ${schema.name} names unknown child schema ${child}`);
  return s.id;
}

/**
 * The property initialisers of `schema`'s fields, reading its cells through
 * the variables `${p}f` (Float64Array), `${p}b` (BigUint64Array) and `${p}o`
 * (the record's first cell). Variant fields are left out (see generate).
 */
function propsOf(schema: NativeSchema, p: string): string[] {
  const props: string[] = [];
  for (const fd of schema.fields) {
    const c = `${p}o + ${fd.cell}`;
    const key = JSON.stringify(fd.name);
    const f = `${p}f`;
    const absent = `(v = ${f}[${c}]) !== v ? null : `;
    switch (fd.type) {
      case 'num':
        // A double read from a Float64Array and stored as is becomes a
        // 16-byte HeapNumber per field, even for 0 or an ifindex; going
        // through int32 stores a small integer in place (routes: 2.6x less
        // time, a third less memory). Values past int32 stay doubles.
        props.push(`${key}: (v = ${f}[${c}]) !== v ? null : (v | 0) === v ? v | 0 : v`);
        break;
      case 'bool':
        props.push(`${key}: ${absent}v === 1`);
        break;
      case 'bigint':
        // The flag cell names the two commonest values (record.h), which
        // are shared instead of allocated: stats at zero, XFRM_INF limits.
        props.push(`${key}: ${absent}v === 0 ? ${p}b[${c} + 1] : v === 1 ? 0n : 0xffffffffffffffffn`);
        break;
      case 'str':
        props.push(`${key}: ${absent}ctx.s(v)`);
        break;
      case 'strs':
        props.push(`${key}: ${absent}ctx.strList(v, ${f}[${c} + 1])`);
        break;
      case 'bytes':
        props.push(`${key}: ${absent}ctx.bytes(v, ${f}[${c} + 1])`);
        break;
      case 'list':
        props.push(`${key}: ${absent}ctx.list(${childId(schema, fd.child)}, v, ${f}[${c} + 1])`);
        break;
      case 'obj':
        props.push(`${key}: ${absent}ctx.obj(${childId(schema, fd.child)}, v)`);
        break;
      case 'variantobj':
        props.push(`${key}: ${absent}ctx.obj(v, ${f}[${c} + 1])`);
        break;
      case 'variant':
        break;
    }
  }
  return props;
}

const literal = (head: string, props: string[]): Decoder =>
  new Function('ctx', 'i', `${head}\nlet v;\nreturn { ${props.join(',\n')} };`) as Decoder;

const cellsOf = (id: number, p: string, index: string): string =>
  `const ${p}f = ctx.f[${id}], ${p}b = ctx.b[${id}], ${p}o = ${index} * ${binding.schemas[id].cells};`;

/**
 * The decoder of one schema (see record.h for the cells): one object literal,
 * so every object of a schema has one hidden class. A record with a Variant
 * field (a link's kind) is built by a decoder per (schema, variant) pair whose
 * literal holds both field lists, kind fields last (they win a name clash, as
 * DESIGN's prefixes keep from happening).
 */
function generate(schema: NativeSchema, variantId?: number): Decoder {
  const variant = schema.fields.find((fd) => fd.type === 'variant');
  let props = propsOf(schema, '');
  let head = cellsOf(schema.id, '', 'i');
  if (variant && variantId !== undefined) {
    const vs = binding.schemas[variantId];
    if (!vs) throw new Error(`schema ${schema.name}: no variant schema with id ${variantId}`);
    props = props.concat(propsOf(vs, 'k'));
    head += `\n${cellsOf(variantId, 'k', `f[o + ${variant.cell} + 1]`)}`;
  } else if (variant) {
    // Dispatch on the record's variant; without one, the plain literal.
    const plain = literal(head, props);
    const byVariant: Decoder[] = [];
    return (ctx, i) => {
      const f = ctx.f[schema.id]!;
      const id = f[i * schema.cells + variant.cell];
      if (id !== id) return plain(ctx, i);
      return (byVariant[id] ??= generate(schema, id))(ctx, i);
    };
  }
  return literal(head, props);
}

function decoderFor(id: number): Decoder {
  let d = decoders[id];
  if (!d) {
    const schema = binding.schemas[id];
    if (!schema || schema.id !== id) throw new Error(`no schema with id ${id}`);
    d = generate(schema);
    decoders[id] = d;
  }
  return d;
}

/**
 * How long decoding may hold the event loop before it yields (setImmediate):
 * long enough that a small dump decodes in the turn its records arrive in,
 * short enough that timers keep running through a 200 000-flow dump.
 */
const SLICE_MS = 4;
/** Records decoded between two looks at the clock. */
const STEP = 256;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Time spent decoding in the current event-loop turn. A slice starts with
 * the first decode of a turn and ends when the loop reaches its check phase
 * (a setImmediate), so every decoder in the process shares one budget.
 */
let sliceStart = -1;
function sliceLeft(): boolean {
  const now = performance.now();
  if (sliceStart < 0) {
    sliceStart = now;
    setImmediate(() => (sliceStart = -1));
  }
  return now - sliceStart < SLICE_MS;
}

/** Decodes the root records of `raw` onto `out`, yielding when the slice is used up. */
async function appendSliced<T>(out: T[], raw: NativeRecords): Promise<void> {
  const ctx = new DecodeContext(raw);
  const dec = decoderFor(raw.root);
  for (let i = 0; i < raw.count;) {
    while (!sliceLeft()) await yieldToLoop();
    const end = Math.min(raw.count, i + STEP);
    for (; i < end; i++) out.push(dec(ctx, i) as T);
  }
}

/** Decodes every root record, yielding to the event loop between slices. */
export async function decodeRecords<T>(raw: NativeRecords): Promise<T[]> {
  const out: T[] = [];
  await appendSliced(out, raw);
  return out;
}

/**
 * Collects a streamed dump. Node hands a thread-safe function's queued calls
 * to JS back to back (up to a thousand per turn), so a chunk is decoded in
 * its callback only while the turn's slice lasts; the rest wait in a queue
 * that is decoded a slice per turn.
 */
export class StreamDecoder<T> {
  readonly items: T[] = [];
  #queue: NativeRecords[] = [];
  #draining: Promise<void> | null = null;

  push(chunk: NativeRecords): void {
    if (this.#draining === null && sliceLeft()) {
      appendRecords(this.items, chunk);
      return;
    }
    this.#queue.push(chunk);
    this.#draining ??= this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      for (let chunk = this.#queue.shift(); chunk; chunk = this.#queue.shift()) await appendSliced(this.items, chunk);
    } finally {
      this.#draining = null;
    }
  }

  /** Every record, once the last chunk was pushed (and `last`, if given, is in). */
  async finish(last?: NativeRecords): Promise<T[]> {
    while (this.#draining) await this.#draining;
    if (last) await appendSliced(this.items, last);
    return this.items;
  }
}

/** Decodes every root record at once and appends them to `out` (a chunk of a dump). */
export function appendRecords<T>(out: T[], raw: NativeRecords): void {
  const ctx = new DecodeContext(raw);
  const dec = decoderFor(raw.root);
  for (let i = 0; i < raw.count; i++) out.push(dec(ctx, i) as T);
}

/** Decodes every root record at once (parse.* on captured bytes). */
export function decodeRecordsSync<T>(raw: NativeRecords): T[] {
  const ctx = new DecodeContext(raw);
  const dec = decoderFor(raw.root);
  const out = new Array<T>(raw.count);
  for (let i = 0; i < raw.count; i++) out[i] = dec(ctx, i) as T;
  return out;
}
