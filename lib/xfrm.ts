// XFRM (vishvananda's xfrm_policy_linux.go, xfrm_state_linux.go): the
// policy and state lists and streams, and key hiding, which parse and the
// CLI share. Key material is returned only because vishvananda returns it;
// it must never reach a log, an error message or the CLI by accident. So
// each algorithm's `key` is made non-enumerable: it is there when read
// explicitly, and left out by JSON.stringify, console.log / util.inspect,
// object spread and assert's diffs.
import { checkStreamOptions, familyArg } from './args';
import type { Calls } from './calls';
import type { DumpStream, StreamOptions } from './dump-stream';
import type { XfrmPolicy, XfrmState, XfrmStateAlgo } from './types/xfrm';

type Site = { stack?: string };

/**
 * Every XFRM policy (XFRM_MSG_GETPOLICY dump) whose selector family is
 * `family` (FAMILY_ALL, the default, FAMILY_V4 or FAMILY_V6), like
 * vishvananda's XfrmPolicyList.
 */
export async function xfrmPolicyList(c: Calls, site: Site, family?: number): Promise<XfrmPolicy[]> {
  return c.dump('xfrmPolicyList', 'xfrm.policy.dump', { family: familyArg(family) }, site);
}

/** xfrmPolicyList as a stream of batches. */
export function xfrmPolicyStream(c: Calls, site: Site, family?: number, options?: StreamOptions): DumpStream<XfrmPolicy> {
  const o = checkStreamOptions(options, 'xfrmPolicyStream');
  return c.stream('xfrmPolicyStream', 'xfrm.policy.dump', { family: familyArg(family) }, site, o);
}

/**
 * Every XFRM state (XFRM_MSG_GETSA dump) of SA family `family`, like
 * vishvananda's XfrmStateList. Algorithm keys are non-enumerable (see
 * XfrmStateAlgo): read them explicitly.
 */
export async function xfrmStateList(c: Calls, site: Site, family?: number): Promise<XfrmState[]> {
  return hideKeys(await c.dump('xfrmStateList', 'xfrm.state.dump', { family: familyArg(family) }, site));
}

/** xfrmStateList as a stream of batches, keys hidden as there. */
export function xfrmStateStream(c: Calls, site: Site, family?: number, options?: StreamOptions): DumpStream<XfrmState> {
  const o = checkStreamOptions(options, 'xfrmStateStream');
  return c.stream('xfrmStateStream', 'xfrm.state.dump', { family: familyArg(family) }, site, o, hideKeys);
}

function hideKey(algo: XfrmStateAlgo | null): void {
  if (algo === null) return;
  Object.defineProperty(algo, 'key', { value: algo.key, enumerable: false, writable: true, configurable: true });
}

/** Makes every algorithm key of `states` non-enumerable, in place. */
export function hideKeys(states: XfrmState[]): XfrmState[] {
  for (const s of states) {
    hideKey(s.auth);
    hideKey(s.crypt);
    hideKey(s.aead);
    hideKey(s.comp);
  }
  return states;
}

/** A copy of an algorithm with its key enumerable again (for --show-keys). */
export function withKey(algo: XfrmStateAlgo | null): (XfrmStateAlgo & { key: Buffer }) | null {
  return algo === null ? null : { ...algo, key: algo.key };
}
