// What the generated decoders (lib/generated/decoders.ts) read for one reply:
// the cells of each schema as a Float64Array (and the same bytes as
// BigUint64Array for 64-bit values), the string table, the string lists and
// the bytes blob (see src-native/record.h).
import type { NativeRecords } from './binding';

export class DecodeContext {
  /** Cells per schema id; undefined for a schema with no record in this reply. */
  readonly f: (Float64Array | undefined)[];
  readonly b: (BigUint64Array | undefined)[];
  private readonly strs: (string | undefined)[];

  constructor(private readonly raw: NativeRecords) {
    this.f = raw.cells;
    this.b = raw.cells.map((c) => (c ? new BigUint64Array(c.buffer, c.byteOffset, c.length) : undefined));
    this.strs = new Array<string | undefined>(raw.stringOffsets.length);
  }

  /** String `index` of the table, cut out once however many records name it. */
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
}
