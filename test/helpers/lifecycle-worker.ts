// Worker-thread side of test/kernel/lifecycle.test.ts: loads the addon in a worker,
// lists links in a namespace, then leaves handles open with calls in flight
// (fake kernels that never answer, timeoutMs 1500) and reports the peer fds
// to close.
import { parentPort, workerData } from 'node:worker_threads';
import { Handle } from '../../lib/handle';
import { FakeKernel } from './fake-kernel';

const { ns, mode } = workerData as { ns: string; mode: 'list' | 'hang' };

void (async () => {
  const h = new Handle({ netns: ns });
  const links = await h.linkList();
  if (mode === 'list') {
    h.close();
    parentPort?.postMessage({ links: links.map((l) => l.name) });
    return;
  }
  const open = [h, new Handle({ netns: ns }), new Handle()];
  const peers: number[] = [];
  for (let i = 0; i < 3; i++) {
    const k = new FakeKernel(() => {}); // never answers
    peers.push(k.peerFd);
    const fh = k.handle({ timeoutMs: 1500 });
    void fh.linkList().catch(() => undefined);
    open.push(fh);
  }
  // Real calls in flight too.
  for (const x of open.slice(0, 3)) void x.linkList().catch(() => undefined);
  setTimeout(() => parentPort?.postMessage({ ready: true, peers, handles: open.length }), 50);
})();
