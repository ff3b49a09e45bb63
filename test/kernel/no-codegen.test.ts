// Proves nlwrap works in a process started with
// --disallow-code-generation-from-strings (a hardening flag agents run
// with): no eval or new Function anywhere on a call's path. Every kind of
// call that returns records (links by list, name and index; addresses;
// routes; XFRM policies and states; conntrack flows and expectations, a
// native-filtered list, deletes by built-in and custom filter; parse.* on
// captured bytes) runs in a child with that flag, in a throwaway namespace,
// package-level calls included, and returns what the namespace holds.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { buildKernelObjects } from '../helpers/kernel-objects';
import { createNetns, isRoot } from '../helpers/netns';

test('every call works under --disallow-code-generation-from-strings', { skip: !isRoot && 'needs root' }, () => {
  const ns = createNetns('nocodegen');
  buildKernelObjects(ns);
  const child = path.join(__dirname, '..', 'helpers', 'no-codegen-child.ts');
  const r = spawnSync(
    'ip',
    ['netns', 'exec', ns, process.execPath, '--disallow-code-generation-from-strings', '--import', 'tsx', child],
    { encoding: 'utf8', timeout: 60_000 },
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const out = JSON.parse(line || '{}') as Record<string, number | boolean | string>;
  assert.equal(out.error, undefined, `a call failed in the child: ${String(out.error)}\n${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(out.codeGenerationDisallowed, true, 'the child really runs without code generation from strings');
  assert.deepEqual(
    {
      'parse.links': out['parse.links'],
      'parse.xfrmPolicies': out['parse.xfrmPolicies'],
      'parse.xfrmStates': out['parse.xfrmStates'],
      linkList: out.linkList,
      addrList: out.addrList,
      xfrmPolicyList: out.xfrmPolicyList,
      conntrackTableList: out.conntrackTableList,
      'h.addrList(link)': out['h.addrList(link)'],
      'h.conntrackTableList(expect)': out['h.conntrackTableList(expect)'],
      'h.conntrackListFiltered': out['h.conntrackListFiltered'],
      'h.conntrackDeleteFilters': out['h.conntrackDeleteFilters'],
      'h.conntrackDeleteFilters(custom)': out['h.conntrackDeleteFilters(custom)'],
    },
    {
      'parse.links': 10,
      'parse.xfrmPolicies': 5,
      'parse.xfrmStates': 9,
      linkList: 8,
      addrList: 6,
      xfrmPolicyList: 2,
      conntrackTableList: 4,
      'h.addrList(link)': 2,
      'h.conntrackTableList(expect)': 1,
      'h.conntrackListFiltered': 1,
      'h.conntrackDeleteFilters': 1,
      'h.conntrackDeleteFilters(custom)': 1,
    },
  );
  assert.ok((out.routeList as number) > 5 && (out['h.routeListFiltered'] as number) > (out.routeList as number));
  assert.equal(out.linkByIndex, out.linkByName);
  // The host kernel has no ESP/AH/IPComp: an empty state dump still decodes.
  assert.equal(out['h.xfrmStateList'], 0);
});
