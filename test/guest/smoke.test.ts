// Runs inside the user-mode-Linux guest (test/uml): proves nlwrap loads and
// dumps links on the guest's 6.1 kernel, where kinds missing on the host exist.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Handle } from '../../lib/index';
import { createNetns, ip } from '../helpers/netns';

test('dummy link on kernel 6.1', async () => {
  const ns = createNetns('smoke');
  ip(ns, 'link', 'add', 'd0', 'type', 'dummy');
  const h = new Handle({ netns: ns });
  try {
    const links = await h.linkList();
    assert.ok(links.some((l) => l.name === 'd0' && l.type === 'dummy'));
  } finally {
    h.close();
  }
});
