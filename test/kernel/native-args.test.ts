// Proves the typed native boundary (src-native/args.h, js_args.cc): each
// operation's arguments are decoded into the struct it declares, and
// NativeHandle.start / subscribe throw a TypeError naming the op for a key
// the op does not declare, a required key that is missing (or undefined,
// or only inherited), and a value of the wrong type or out of range;
// nothing is defaulted. Every check happens before any request is sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binding, type NativeHandle } from '../../lib/binding';
import type { OpArgs, OpName } from '../../lib/generated/args';

/** start() with arguments the types would refuse: what a caller outside TypeScript can pass. */
function startAny(nh: NativeHandle, op: string, args: object): void {
  const s = nh.start(op as OpName, args as OpArgs[OpName], 1000, 0);
  s.close();
}

function withHandle(fn: (nh: NativeHandle) => void): void {
  const nh = new binding.NativeHandle({ protocols: [0, 6, 12] });
  try {
    fn(nh);
  } finally {
    nh.close();
  }
}

test('every op declares its arguments, and the generated types list the same ops', () => {
  assert.deepEqual(Object.keys(binding.opArgs), binding.ops);
  for (const op of binding.ops)
    for (const f of binding.opArgs[op]) assert.match(f.type, /^(u8|u16|u32|bool|str|bytes)$/, `${op}.${f.name}`);
});

test('start() refuses unknown, missing and mistyped arguments with a TypeError naming the op', () => {
  withHandle((nh) => {
    const refuses = (op: string, args: object, message: RegExp): void =>
      assert.throws(() => startAny(nh, op, args), { name: 'TypeError', message }, `${op} ${JSON.stringify(args)}`);
    // Every op refuses a key it does not declare.
    for (const op of binding.ops)
      refuses(op, { notAnArgument: 1 }, new RegExp(`^${op.replace('.', '\\.')}: unknown argument 'notAnArgument'`));
    // A typo is not a silent default.
    refuses('addr.dump', { family: 0, index: 0, kernelFilter: true, idx: 1 }, /unknown argument 'idx'/);
    refuses('addr.dump', { family: 0, index: 0 }, /^addr\.dump: missing argument 'kernelFilter'/);
    refuses('addr.dump', { family: 0, index: 0, kernelFilter: undefined }, /missing argument 'kernelFilter'/);
    refuses(
      'addr.dump',
      Object.assign(Object.create({ family: 0 }) as object, { index: 0, kernelFilter: true }),
      /missing argument 'family'/,
    );
    refuses('addr.dump', { family: 256, index: 0, kernelFilter: true }, /argument 'family' must be an integer from 0 to 255/);
    refuses('addr.dump', { family: 2.5, index: 0, kernelFilter: true }, /'family' must be an integer/);
    refuses('addr.dump', { family: -1, index: 0, kernelFilter: true }, /'family' must be an integer/);
    refuses('addr.dump', { family: '2', index: 0, kernelFilter: true }, /'family' must be an integer/);
    refuses('addr.dump', { family: 0, index: 2 ** 32, kernelFilter: true }, /'index' must be an integer from 0 to 4294967295/);
    refuses('addr.dump', { family: 0, index: 0, kernelFilter: 1 }, /argument 'kernelFilter' must be a boolean/);
    refuses('route.dump', { family: 0, table: 0, protocol: 0, type: 0, kernelFilter: true }, /missing argument 'oif'/);
    refuses('link.get', { name: 5 }, /argument 'name' must be a string/);
    refuses('ct.deleteExact', { table: 1, flows: [1, 2] }, /argument 'flows' must be a Uint8Array/);
    refuses('ct.deleteExact', { table: 1, flows: new Uint16Array(26) }, /argument 'flows' must be a Uint8Array/);
    refuses('ct.match', { table: 1, family: 0 }, /missing argument 'filters'/);
    refuses('ct.dump', { table: 1, family: 0, kZone: 65536 }, /'kZone' must be an integer from 0 to 65535/);
  });
});

test('start() takes declared arguments, optional ones absent or undefined', async () => {
  // Reads the caller's namespace's loopback link: nothing is changed.
  const nh = new binding.NativeHandle({ protocols: [0] });
  try {
    const s = nh.start('link.get', { index: 1, name: undefined }, 5000, 0);
    let records = 0;
    for (;;) {
      const { items, end } = await s.read();
      for (const item of items) records += (item as { count: number }).count;
      if (end === null) continue;
      assert.equal(end.error, null);
      break;
    }
    assert.equal(records, 1, 'link 1 (lo) came back');
  } finally {
    nh.close();
  }
});

test('subscribe() refuses unknown, missing and mistyped options with a TypeError', () => {
  withHandle((nh) => {
    const good = { source: 'rtnetlink', groups: new Uint8Array(4), rcvbuf: 0, rcvbufForce: false, maxQueued: 16 };
    const refuses = (options: object, message: RegExp): void =>
      assert.throws(() => nh.subscribe(options as typeof good), { name: 'TypeError', message }, JSON.stringify(options));
    refuses({ ...good, extra: true }, /^subscribe: unknown argument 'extra'/);
    const { maxQueued: _, ...noMax } = good;
    refuses(noMax, /^subscribe: missing argument 'maxQueued'/);
    refuses({ ...good, rcvbufForce: 'yes' }, /'rcvbufForce' must be a boolean/);
    refuses({ ...good, source: 'nfnetlink' }, /unknown event source/);
    refuses({ ...good, groups: new Uint8Array(3) }, /groups must be u32s/);
  });
});
