// V8's own floor for the conntrack rows: a flow copied in plain JS (no
// netlink, no addon), its nested objects too, as the decoders build them.
export type Flow = Record<string, unknown>;

const copyTuple = (t: unknown): unknown => (t === null || typeof t !== 'object' ? t : { ...t });

export const copyFlow = (f: Flow): Flow => ({
  ...f,
  forward: copyTuple(f.forward),
  reverse: copyTuple(f.reverse),
  protoInfo: copyTuple(f.protoInfo),
  expectMask: copyTuple(f.expectMask),
  expectNatTuple: copyTuple(f.expectNatTuple),
});
