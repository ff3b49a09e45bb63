#!/usr/bin/env python3
# A minimal fake XFRM kernel for test/xfrm-retry.test.ts (Node cannot make a
# datagram socketpair). Creates a socketpair(AF_UNIX, SOCK_DGRAM), runs the
# client command with one end inherited (fd number in NLW_FAKE_FD), and
# answers each request on the other end with captured kernel replies
# (GETPOLICY: the 6.18 policy dump, GETSA: the 6.1 state dump), seq copied
# from the request. PLAN is a comma-separated list, one entry per request:
#   0 = a clean dump, 1 = NLM_F_DUMP_INTR on the second data message,
#   d = NLM_F_DUMP_INTR on NLMSG_DONE only.
# usage: xfrm_fake_kernel.py FIXTURE_DIR PLAN CMD...
import os
import select
import socket
import struct
import subprocess
import sys

NLM_F_MULTI, NLM_F_DUMP_INTR, NLMSG_DONE = 2, 0x10, 3
XFRM_MSG_GETPOLICY = 0x15

fixtures, plan, cmd = sys.argv[1], sys.argv[2].split(','), sys.argv[3:]


def messages(path, end):
    buf = open(path, 'rb').read()[:end]
    out, off = [], 0
    while off < len(buf):
        n = struct.unpack_from('<I', buf, off)[0]
        out.append(bytearray(buf[off:off + n]))
        off += (n + 3) & ~3
    return out


policies = messages(os.path.join(fixtures, 'host-6.18', 'getpolicy-dump.resp.bin'), 1336)
states = messages(os.path.join(fixtures, 'uml-6.1', 'getsa-dump.resp.bin'), 3712)

client, kernel = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
proc = subprocess.Popen(cmd, pass_fds=(client.fileno(),),
                        env=dict(os.environ, NLW_FAKE_FD=str(client.fileno())))
client.close()
served = 0
while proc.poll() is None:
    if not select.select([kernel], [], [], 0.1)[0]:
        continue
    req = kernel.recv(1 << 16)
    _, typ, _, seq, _ = struct.unpack_from('<IHHII', req)
    mode = plan[served] if served < len(plan) else '0'
    served += 1
    out = []
    for k, m in enumerate(policies if typ == XFRM_MSG_GETPOLICY else states):
        flags = NLM_F_MULTI | (NLM_F_DUMP_INTR if mode == '1' and k == 1 else 0)
        struct.pack_into('<HII', m, 6, flags, seq, 0)
        out.append(bytes(m))
    kernel.send(b''.join(out))
    done_flags = NLM_F_MULTI | (NLM_F_DUMP_INTR if mode == 'd' else 0)
    kernel.send(struct.pack('<IHHIIi', 20, NLMSG_DONE, done_flags, seq, 0, 0))
sys.stderr.write('fake kernel: served %d requests\n' % served)
sys.exit(proc.returncode)
