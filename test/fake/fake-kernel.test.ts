// Proves the socket core (src-native/socket.cc, handle.cc) on crafted bytes:
// a fake kernel on a socketpair (test/helpers/fake-kernel.ts) answers with
// interrupted dumps (NLM_F_DUMP_INTR on a middle message, and only on
// NLMSG_DONE), wrong seq, wrong port id, stale ACKs, truncated headers and
// attributes, lengths past the end, NLMSG_ERROR with and without extended
// ACK, DONE with an error, a dump that never ends, a message > 64 KiB and
// garbage. Each ends in correct results or a NetlinkError with a clear code,
// never a crash or a hang, and the socket is either still usable or was
// closed (reset). ENOBUFS comes from a real kernel socket:
// test/kernel/enobufs.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import type { NativeHandle } from '../../lib/binding';
import { decodeRecordsSync } from '../../lib/decode';
import { callNative, type NativeCallResult } from '../helpers/native-call';
import { LinkNotFoundError, NetlinkError } from '../../lib/errors';
import type { Link } from '../../lib/types/link';
import { dumpOf, FakeKernel, type Responder } from '../helpers/fake-kernel';
import {
  attr,
  done,
  errorMsg,
  IFLA_IFALIAS,
  linkMsg,
  linkPayload,
  msg,
  NLM_F_MULTI,
  NLMSG_ERROR,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  RTM_NEWLINK,
} from '../helpers/netlink-msg';

const kernels: FakeKernel[] = [];
after(() => kernels.forEach((k) => k.close()));

function fake(r: Responder): FakeKernel {
  const k = new FakeKernel(r);
  kernels.push(k);
  return k;
}

async function dump(nh: NativeHandle, timeoutMs = 3000): Promise<{ reply: NativeCallResult; links: Link[] }> {
  const reply = await callNative(nh, 'link.dump', {}, timeoutMs);
  return { reply, links: reply.chunks.flatMap((c) => decodeRecordsSync(c, 'link')) };
}

/** The call's rejection, as a NetlinkError-shaped object. */
async function failure(p: Promise<unknown>): Promise<{ code: string; errno: number; extack?: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; errno: number; extack?: string; message: string };
  }
  assert.fail('expected a rejection');
}

/** After a fault: the socket is either reused (a good dump works) or closed. */
async function usableOrReset(k: FakeKernel, nh: NativeHandle): Promise<'usable' | 'reset'> {
  if (k.coreClosed()) {
    // The core dropped the socket; the handle says so instead of hanging.
    const e = await failure(callNative(nh, 'link.dump', {}, 500));
    assert.equal(e.code, 'EBUSY');
    return 'reset';
  }
  k.responder = dumpOf(3);
  const { links } = await dump(nh);
  assert.deepEqual(
    links.map((l) => l.name),
    ['fk0', 'fk1', 'fk2'],
  );
  return 'usable';
}

describe('fake kernel: dumps', () => {
  test('a clean dump in several datagrams', async () => {
    const k = fake(dumpOf(10, { chunks: 4 }));
    const nh = k.native();
    const { reply, links } = await dump(nh);
    assert.equal(reply.interrupted, false);
    assert.equal(links.length, 10);
    assert.deepEqual(
      links.map((l) => l.index),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.equal(reply.datagrams, 5);
    assert.equal(k.requests[0].flags & 0x300, 0x300, 'sent as a dump');
    nh.close();
  });

  test('NLM_F_DUMP_INTR on a middle message: read to the end, interrupted', async () => {
    const k = fake(dumpOf(9, { intrOn: 'middle' }));
    const nh = k.native();
    const { reply, links } = await dump(nh);
    assert.equal(reply.interrupted, true);
    assert.equal(links.length, 9, 'every message after the flagged one was read');
    assert.equal(await usableOrReset(k, nh), 'usable');
  });

  test('NLM_F_DUMP_INTR only on NLMSG_DONE: interrupted', async () => {
    const k = fake(dumpOf(9, { intrOn: 'done' }));
    const nh = k.native();
    const { reply, links } = await dump(nh);
    assert.equal(reply.interrupted, true);
    assert.equal(links.length, 9);
    assert.equal(await usableOrReset(k, nh), 'usable');
  });

  test('through a Handle, interrupted dumps are retried by the policy', async () => {
    let n = 0;
    const k = fake((req, kk) => dumpOf(4, { intrOn: ++n <= 2 ? (n === 1 ? 'middle' : 'done') : 'none' })(req, kk));
    const warnings: string[] = [];
    const h = k.handle({ logger: { warn: (m) => warnings.push(m) } });
    const links = await h.linkList();
    assert.equal(links.length, 4);
    assert.equal(k.requests.length, 3, 'two interrupted attempts, then a clean one');
    assert.deepEqual(
      { calls: h.stats.calls, interruptedAttempts: h.stats.interruptedAttempts, exhaustedCalls: h.stats.exhaustedCalls },
      { calls: 1, interruptedAttempts: 2, exhaustedCalls: 0 },
    );
    assert.deepEqual(warnings, []);
    h.close();
  });

  test('through a Handle, always interrupted: maxAttempts dumps, then the last results', async () => {
    const k = fake(dumpOf(4, { intrOn: 'done' }));
    const warnings: string[] = [];
    const h = k.handle({ maxAttempts: 3, logger: { warn: (m) => warnings.push(m) } });
    const links = await h.linkList();
    assert.equal(links.length, 4);
    assert.equal(k.requests.length, 3);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /linkList was interrupted/);
    h.close();
  });

  test('NLMSG_NOOP and NLMSG_OVERRUN inside a dump are skipped', async () => {
    const k = fake((req, kk) => {
      kk.send(
        Buffer.concat([
          msg({ type: NLMSG_NOOP, seq: req.seq, pid: req.pid }),
          linkMsg(req.seq, req.pid, 1, 'a'),
          msg({ type: NLMSG_OVERRUN, seq: req.seq, pid: req.pid }),
          linkMsg(req.seq, req.pid, 2, 'b'),
        ]),
        done(req.seq, req.pid),
      );
    });
    const nh = k.native();
    const { links } = await dump(nh);
    assert.deepEqual(
      links.map((l) => l.name),
      ['a', 'b'],
    );
    nh.close();
  });

  test('a single message larger than 64 KiB arrives whole', async () => {
    const filler = [attr(0x7ff0, Buffer.alloc(60000, 0x61)), attr(0x7ff1, Buffer.alloc(60000, 0x62))];
    const k = fake((req, kk) => {
      kk.send(
        msg(
          { type: RTM_NEWLINK, flags: NLM_F_MULTI, seq: req.seq, pid: req.pid },
          linkPayload(7, 'huge', 9000, [...filler, attr(IFLA_IFALIAS, 'at the end')]),
        ),
      );
      kk.send(done(req.seq, req.pid));
    });
    const nh = k.native();
    const { reply, links } = await dump(nh);
    assert.ok(reply.bytes > 120000, `received ${reply.bytes} bytes`);
    assert.equal(links.length, 1);
    assert.equal(links[0].name, 'huge');
    assert.equal(links[0].mtu, 9000);
    assert.equal(links[0].alias, 'at the end', 'the attribute after 120 KB was read');
    assert.equal(await usableOrReset(k, nh), 'usable');
  });
});

describe('fake kernel: stale and foreign messages', () => {
  test('wrong seq: an older dump before the answer is skipped', async () => {
    const k = fake((req, kk) => {
      kk.send(Buffer.concat([linkMsg(req.seq - 1, req.pid, 90, 'old'), linkMsg(req.seq + 7, req.pid, 91, 'future')]));
      kk.send(done(req.seq - 1, req.pid, -16));
      dumpOf(2)(req, kk);
    });
    const nh = k.native();
    const { links } = await dump(nh);
    assert.deepEqual(
      links.map((l) => l.name),
      ['fk0', 'fk1'],
    );
    assert.equal(await usableOrReset(k, nh), 'usable');
  });

  test('wrong port id is skipped; port id 0 (the kernel) is accepted', async () => {
    const k = fake((req, kk) => {
      kk.send(linkMsg(req.seq, req.pid + 1, 90, 'other'), done(req.seq, req.pid + 1, -1));
      kk.send(Buffer.concat([linkMsg(req.seq, 0, 1, 'zero'), linkMsg(req.seq, req.pid, 2, 'mine')]), done(req.seq, 0));
    });
    const nh = k.native();
    const { links } = await dump(nh);
    assert.deepEqual(
      links.map((l) => l.name),
      ['zero', 'mine'],
    );
    nh.close();
  });

  test('stale ACKs and errors of earlier requests before the answer', async () => {
    const k = fake((req, kk) => {
      const old = { ...req, seq: req.seq - 1 };
      kk.send(errorMsg(old, 0), errorMsg(old, -19), errorMsg({ ...req, seq: req.seq - 2 }, -22, 'stale extack'));
      dumpOf(3)(req, kk);
    });
    const nh = k.native();
    const { links } = await dump(nh);
    assert.equal(links.length, 3);
    assert.equal(await usableOrReset(k, nh), 'usable');
  });

  test('an ACK (error 0) inside a dump does not end it', async () => {
    const k = fake((req, kk) => {
      kk.send(linkMsg(req.seq, req.pid, 1, 'a'), errorMsg(req, 0), linkMsg(req.seq, req.pid, 2, 'b'), done(req.seq, req.pid));
    });
    const nh = k.native();
    const { links } = await dump(nh);
    assert.deepEqual(
      links.map((l) => l.name),
      ['a', 'b'],
    );
    nh.close();
  });
});

describe('fake kernel: malformed replies', () => {
  const cases: [string, (req: { seq: number; pid: number }) => Buffer[], string, 'usable' | 'reset'][] = [
    ['a truncated header (10 bytes)', () => [Buffer.alloc(10, 1)], 'EBADMSG', 'reset'],
    [
      'trailing bytes after a message',
      (r) => [Buffer.concat([linkMsg(r.seq, r.pid, 1, 'a'), Buffer.alloc(6)])],
      'EBADMSG',
      'reset',
    ],
    [
      'nlmsg_len past the end of the datagram',
      (r) => [msg({ type: RTM_NEWLINK, flags: NLM_F_MULTI, seq: r.seq, pid: r.pid }, linkPayload(1, 'a'), 5000)],
      'EBADMSG',
      'reset',
    ],
    [
      'nlmsg_len smaller than a header',
      (r) => [msg({ type: RTM_NEWLINK, seq: r.seq, pid: r.pid }, Buffer.alloc(8), 4)],
      'EBADMSG',
      'reset',
    ],
    ['nlmsg_len 0xffffffff', () => [Buffer.alloc(64, 0xff)], 'EBADMSG', 'reset'],
    [
      'an attribute length past the end of its message',
      (r) => {
        const p = linkPayload(1, 'a');
        p.writeUInt16LE(200, 16); // IFLA_IFNAME claims 200 bytes
        return [msg({ type: RTM_NEWLINK, flags: NLM_F_MULTI, seq: r.seq, pid: r.pid }, p), done(r.seq, r.pid)];
      },
      'EBADMSG',
      'usable',
    ],
    [
      'an attribute length below its header',
      (r) => {
        const p = linkPayload(1, 'a');
        p.writeUInt16LE(2, 16);
        return [msg({ type: RTM_NEWLINK, flags: NLM_F_MULTI, seq: r.seq, pid: r.pid }, p), done(r.seq, r.pid)];
      },
      'EBADMSG',
      'usable',
    ],
    [
      'a u32 attribute with 2 bytes (IFLA_MTU)',
      (r) => {
        const ifi = Buffer.alloc(16);
        const p = Buffer.concat([ifi, attr(4, Buffer.alloc(2))]);
        return [msg({ type: RTM_NEWLINK, flags: NLM_F_MULTI, seq: r.seq, pid: r.pid }, p), done(r.seq, r.pid)];
      },
      'EBADMSG',
      'usable',
    ],
    [
      'a message shorter than its ifinfomsg',
      (r) => [msg({ type: RTM_NEWLINK, flags: NLM_F_MULTI, seq: r.seq, pid: r.pid }, Buffer.alloc(8)), done(r.seq, r.pid)],
      'EBADMSG',
      'usable',
    ],
    [
      'an NLMSG_ERROR shorter than its errno',
      (r) => [msg({ type: NLMSG_ERROR, seq: r.seq, pid: r.pid }, Buffer.alloc(2))],
      'EBADMSG',
      'usable',
    ],
  ];
  for (const [name, reply, code, after] of cases) {
    test(`${name} → ${code}, socket ${after === 'reset' ? 'closed' : 'still usable'}`, async () => {
      const k = fake((req, kk) => kk.send(...reply(req)));
      const nh = k.native();
      const e = await failure(dump(nh));
      assert.equal(e.code, code, e.message);
      assert.equal(await usableOrReset(k, nh), after);
      nh.close();
    });
  }

  test('garbage: 300 random datagrams never crash or hang the core', async () => {
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
    const codes = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const k = new FakeKernel((req, kk) => {
        const len = 1 + ((rnd() * 7) % 400);
        const b = Buffer.alloc(len);
        for (let j = 0; j < len; j++) b[j] = rnd();
        // Half of them carry our seq/pid so the core looks inside.
        if (i % 2 === 0 && len >= 16) {
          b.writeUInt32LE(Math.min(b.readUInt32LE(0), len), 0);
          b.writeUInt32LE(req.seq, 8);
          b.writeUInt32LE(req.pid, 12);
        }
        kk.send(b, done(req.seq, req.pid));
      });
      const nh = k.native();
      try {
        await dump(nh, 1000);
        codes.set('ok', (codes.get('ok') ?? 0) + 1);
      } catch (err) {
        const c = (err as { code: string }).code;
        codes.set(c, (codes.get(c) ?? 0) + 1);
      }
      nh.close();
      k.close();
    }
    for (const c of codes.keys()) assert.ok(['ok', 'EBADMSG', 'EPERM'].includes(c) || /^E[A-Z0-9]+$/.test(c), `code ${c}`);
    assert.ok(!codes.has('ETIMEDOUT'), `no reply hung the core: ${JSON.stringify([...codes])}`);
  });
});

describe('fake kernel: errors from the kernel', () => {
  test('NLMSG_ERROR without extended ACK', async () => {
    const k = fake((req, kk) => kk.send(errorMsg(req, -19)));
    const nh = k.native();
    const e = await failure(callNative(nh, 'link.get', { index: 5 }, 2000));
    assert.equal(e.code, 'ENODEV');
    assert.equal(e.errno, 19);
    assert.equal(e.extack, undefined);
    assert.equal(k.requests[0].flags & 0x4, 0x4, 'a non-dump request asks for an ACK');
    assert.equal(await usableOrReset(k, nh), 'usable');
  });

  test('NLMSG_ERROR with extended ACK: the text lands on err.extack', async () => {
    const k = fake((req, kk) => kk.send(errorMsg(req, -22, 'Invalid attribute for fake kernel')));
    const nh = k.native();
    const e = await failure(callNative(nh, 'link.get', { index: 5 }, 2000));
    assert.equal(e.code, 'EINVAL');
    assert.equal(e.extack, 'Invalid attribute for fake kernel');
    assert.match(e.message, /Invalid attribute for fake kernel/);
    assert.equal(await usableOrReset(k, nh), 'usable');
  });

  // The addon names errnos from its own table (src-native/errno_names.h, so
  // the prebuilds need no strerrorname_np, glibc 2.32); it must agree with
  // glibc's names: 1..599 covers the uapi errnos and the kernel-internal ones
  // (512..) that can leak to user space; MAX_ERRNO (4095) is the last valid.
  const errnos = [...Array.from({ length: 599 }, (_, i) => i + 1), 4095];
  const glibcNames = spawnSync(
    'python3',
    [
      '-c',
      `import ctypes, json
f = ctypes.CDLL(None).strerrorname_np
f.restype = ctypes.c_char_p
print(json.dumps([(f(e) or b'EUNKNOWN').decode() for e in ${JSON.stringify(errnos)}]))`,
    ],
    { encoding: 'utf8' },
  );
  test(
    'errnos the kernel can send are named as glibc names them',
    { skip: glibcNames.status !== 0 && 'needs python3 and glibc ≥ 2.32 (strerrorname_np) for the oracle' },
    async () => {
      const want: string[] = JSON.parse(glibcNames.stdout);
      let e = 0;
      const k = fake((req, kk) => kk.send(errorMsg(req, -e)));
      const nh = k.native();
      const got: string[] = [];
      for (e of errnos) got.push((await failure(callNative(nh, 'link.get', { index: 5 }, 2000))).code);
      assert.deepEqual(got, want);
      assert.ok(want.filter((n) => n !== 'EUNKNOWN').length >= 130, 'the oracle knows the errno names');
      nh.close();
    },
  );

  test('through a Handle: NetlinkError with extack; ENODEV → LinkNotFoundError', async () => {
    let n = 0;
    const k = fake((req, kk) => kk.send(++n === 1 ? errorMsg(req, -95, 'nope') : errorMsg(req, -19)));
    const h = k.handle({ timeoutMs: 2000 });
    const e1 = await h.linkByIndex(3).catch((err: unknown) => err);
    assert.ok(e1 instanceof NetlinkError);
    assert.equal(e1.code, 'EOPNOTSUPP');
    assert.equal(e1.extack, 'nope');
    assert.equal(e1.op, 'linkByIndex');
    const e2 = await h.linkByIndex(3).catch((err: unknown) => err);
    assert.ok(e2 instanceof LinkNotFoundError);
    h.close();
  });

  test('an error after some dump messages ends the dump with that error', async () => {
    const k = fake((req, kk) => kk.send(linkMsg(req.seq, req.pid, 1, 'a'), errorMsg(req, -12, 'out of memory mid-dump')));
    const nh = k.native();
    const e = await failure(dump(nh));
    assert.equal(e.code, 'ENOMEM');
    assert.equal(e.extack, 'out of memory mid-dump');
    assert.equal(await usableOrReset(k, nh), 'usable');
  });

  test('DONE carrying an error, with and without extended ACK', async () => {
    let n = 0;
    const k = fake((req, kk) => {
      kk.send(linkMsg(req.seq, req.pid, 1, 'a'));
      kk.send(++n === 1 ? done(req.seq, req.pid, -90, 'message too long for fake') : done(req.seq, req.pid, -5));
    });
    const nh = k.native();
    const e1 = await failure(dump(nh));
    assert.equal(e1.code, 'EMSGSIZE');
    assert.equal(e1.extack, 'message too long for fake');
    const e2 = await failure(dump(nh));
    assert.equal(e2.code, 'EIO');
    assert.equal(e2.extack, undefined);
    assert.equal(await usableOrReset(k, nh), 'usable');
  });
});

/**
 * A dump taken in chunks, as Handle takes every dump: the first four
 * datagrams are parsed on the reading thread, the rest on a parse thread
 * (src-native/pipeline.h).
 */
async function streamedDump(nh: NativeHandle, timeoutMs = 3000): Promise<{ links: Link[]; chunks: number }> {
  const links: Link[] = [];
  let chunks = 0;
  await callNative(nh, 'link.dump', {}, timeoutMs, (chunk) => {
    chunks++;
    links.push(...decodeRecordsSync(chunk, 'link'));
  });
  return { links, chunks };
}

describe('fake kernel: streamed dumps (parsed on a second thread)', () => {
  test('3 000 links in 40 datagrams arrive whole, in order, in chunks', async () => {
    const k = fake(dumpOf(3000, { chunks: 40 }));
    const nh = k.native();
    const { links, chunks } = await streamedDump(nh);
    assert.equal(links.length, 3000);
    assert.ok(
      links.every((l, i) => l.index === i + 1 && l.name === `fk${i}`),
      'every link once, in order',
    );
    assert.ok(chunks >= 2, `chunks handed over before the reply: ${chunks}`);
    assert.equal(await usableOrReset(k, nh), 'usable');
    nh.close();
  });

  // The parse threads are a pool kept between dumps: more dumps at once than
  // there are waiting threads must each get one, round after round (a lost
  // wake-up would leave a dump waiting for a thread's 10 s idle timeout).
  test('20 streamed dumps at once, 5 rounds: each whole', { timeout: 20_000 }, async () => {
    const ks = Array.from({ length: 20 }, () => fake(dumpOf(300, { chunks: 12 })));
    const hs = ks.map((k) => k.native());
    for (let round = 0; round < 5; round++) {
      const t0 = Date.now();
      const results = await Promise.all(hs.map((nh) => streamedDump(nh)));
      for (const { links } of results)
        assert.deepEqual(
          links.map((l) => l.index),
          Array.from({ length: 300 }, (_, i) => i + 1),
        );
      assert.ok(Date.now() - t0 < 3000, `round ${round} took ${Date.now() - t0} ms: a dump waited for a parse thread`);
    }
    hs.forEach((nh) => nh.close());
  });

  test('500 streamed dumps back to back: none waits for a parse thread', { timeout: 20_000 }, async () => {
    const nh = fake(dumpOf(40, { chunks: 8 })).native();
    let slowest = 0;
    for (let i = 0; i < 500; i++) {
      const t0 = Date.now();
      assert.equal((await streamedDump(nh)).links.length, 40);
      slowest = Math.max(slowest, Date.now() - t0);
    }
    assert.ok(slowest < 2000, `the slowest dump took ${slowest} ms`);
    nh.close();
  });

  test('a malformed message in a later datagram → EBADMSG, and the core recovers', async () => {
    for (const badAt of [1, 6, 19]) {
      const k = fake((req, kk) => {
        for (let d = 0; d < 20; d++) {
          const msgs = [];
          for (let j = 0; j < 50; j++) msgs.push(linkMsg(req.seq, req.pid, d * 50 + j + 1, `n${d}-${j}`, NLM_F_MULTI));
          if (d === badAt) {
            const p = linkPayload(9999, 'bad');
            p.writeUInt16LE(200, 16); // IFLA_IFNAME claims 200 bytes
            msgs.push(msg({ type: RTM_NEWLINK, flags: NLM_F_MULTI, seq: req.seq, pid: req.pid }, p));
          }
          kk.send(Buffer.concat(msgs));
        }
        kk.send(done(req.seq, req.pid));
      });
      const nh = k.native();
      const e = await failure(streamedDump(nh));
      assert.equal(e.code, 'EBADMSG', `datagram ${badAt}: ${e.message}`);
      // Whether the reader had already read to the end decides reuse; the
      // core must answer either way.
      assert.ok(['usable', 'reset'].includes(await usableOrReset(k, nh)));
      nh.close();
    }
  });
});

describe('fake kernel: time', () => {
  test('a dump that never ends → ETIMEDOUT, socket closed', async () => {
    let i = 0;
    const k = fake((req, kk) => kk.every(10, () => linkMsg(req.seq, req.pid, ++i, `n${i}`)));
    const nh = k.native();
    const t0 = Date.now();
    const e = await failure(dump(nh, 300));
    const took = Date.now() - t0;
    assert.equal(e.code, 'ETIMEDOUT');
    assert.ok(took >= 290 && took < 2000, `timed out after ${took} ms`);
    assert.equal(await usableOrReset(k, nh), 'reset');
  });

  test('a streamed dump that never ends → ETIMEDOUT, parse thread stopped', async () => {
    let i = 0;
    const k = fake((req, kk) => kk.every(2, () => linkMsg(req.seq, req.pid, ++i, `n${i}`)));
    const nh = k.native();
    const e = await failure(streamedDump(nh, 300));
    assert.equal(e.code, 'ETIMEDOUT');
    assert.equal(await usableOrReset(k, nh), 'reset');
    nh.close();
  });

  test('no answer at all → ETIMEDOUT through a Handle', async () => {
    const k = fake(() => {});
    const h = k.handle({ timeoutMs: 150 });
    const e = await h.linkList().catch((err: unknown) => err);
    assert.ok(e instanceof NetlinkError);
    assert.equal(e.code, 'ETIMEDOUT');
    h.close();
  });

  test('the answer arriving in pieces on a schedule is read whole', async () => {
    const k = fake((req, kk) => {
      kk.later(20, () => kk.send(linkMsg(req.seq, req.pid, 1, 'a')));
      kk.later(60, () => kk.send(linkMsg(req.seq, req.pid, 2, 'b')));
      kk.later(100, () => kk.send(done(req.seq, req.pid)));
    });
    const nh = k.native();
    const { links } = await dump(nh);
    assert.deepEqual(
      links.map((l) => l.name),
      ['a', 'b'],
    );
    nh.close();
  });

  test('close() during an in-flight dump → ERR_HANDLE_CLOSED', async () => {
    const k = fake(() => {});
    const h = k.handle();
    const p = h.linkList().catch((err: unknown) => err);
    await k.waitRequests(1);
    h.close();
    const e = await p;
    assert.ok(e instanceof NetlinkError);
    assert.equal(e.code, 'ERR_HANDLE_CLOSED');
    assert.equal(k.coreClosed(), true, 'the socket was closed');
  });
});
