// Child process of test/kernel/no-codegen.test.ts, run with
// --disallow-code-generation-from-strings inside a namespace built by
// helpers/kernel-objects.ts (`ip netns exec`, so the package-level calls'
// default handle is there too). Makes every kind of call that returns
// records and prints one JSON line: what each returned, or the first error.
import fs from 'node:fs';
import path from 'node:path';
import * as nl from '../../lib/index';

async function main(): Promise<Record<string, number | boolean>> {
  const out: Record<string, number | boolean> = {};
  try {
    new Function('return 1');
    out.codeGenerationDisallowed = false;
  } catch (err) {
    out.codeGenerationDisallowed = err instanceof EvalError;
  }
  const fixture = (...p: string[]): Buffer => fs.readFileSync(path.join(__dirname, '..', 'fixtures', ...p));
  out['parse.links'] = nl.parse.links(fixture('links', 'dump-kinds.bin')).length;
  out['parse.xfrmPolicies'] = nl.parse.xfrmPolicies(fixture('xfrm', 'uml-6.1', 'getpolicy-dump.resp.bin')).length;
  out['parse.xfrmStates'] = nl.parse.xfrmStates(fixture('xfrm', 'uml-6.1', 'getsa-dump.resp.bin')).length;
  out['parse.addrs'] = nl.parse.addrs(Buffer.alloc(0)).length;
  out['parse.routes'] = nl.parse.routes(Buffer.alloc(0)).length;
  out['parse.conntrack'] = nl.parse.conntrack(Buffer.alloc(0)).length;

  // Package level: the default handle, in this process's namespace.
  const links = await nl.linkList();
  out.linkList = links.length;
  out.linkByName = (await nl.linkByName('vb')).index;
  out.linkByIndex = (await nl.linkByIndex(out.linkByName)).index;
  out.addrList = (await nl.addrList(null, nl.FAMILY_ALL)).length;
  out.routeList = (await nl.routeList(null, nl.FAMILY_ALL)).length;
  out.xfrmPolicyList = (await nl.xfrmPolicyList()).length;
  out.conntrackTableList = (await nl.conntrackTableList(nl.ConntrackTable, nl.FAMILY_ALL)).length;

  const h = new nl.Handle();
  try {
    out['h.addrList(link)'] = (await h.addrList(out.linkByName, nl.FAMILY_V4)).length;
    out['h.routeListFiltered'] = (await h.routeListFiltered(nl.FAMILY_ALL, { table: 0 }, nl.RT_FILTER_TABLE)).length;
    out['h.xfrmStateList'] = (await h.xfrmStateList()).length;
    out['h.conntrackTableList(expect)'] = (await h.conntrackTableList(nl.ConntrackExpectTable, nl.FAMILY_ALL)).length;
    const mark5 = new nl.ConntrackFilter().addMark(5);
    out['h.conntrackListFiltered'] = (await h.conntrackListFiltered(nl.ConntrackTable, nl.FAMILY_V4, mark5)).length;
    out['h.conntrackDeleteFilters'] = await h.conntrackDeleteFilters(nl.ConntrackTable, nl.FAMILY_V4, mark5);
    // A custom filter: listed in JS, then deleted flow by flow.
    const icmp = { matchConntrackFlow: (f: nl.ConntrackFlow): boolean => f.forward.protocol === 1 };
    out['h.conntrackDeleteFilters(custom)'] = await h.conntrackDeleteFilters(nl.ConntrackTable, nl.FAMILY_V4, icmp);
  } finally {
    h.close();
  }
  return out;
}

main().then(
  (out) => process.stdout.write(JSON.stringify(out) + '\n'),
  (err: Error) => {
    process.stdout.write(JSON.stringify({ error: `${err.name}: ${err.message}` }) + '\n');
    process.exitCode = 1;
  },
);
