// XFRM facade helpers shared by Handle, parse and the CLI: the family
// argument check, and key hiding. Key material is returned only because
// vishvananda returns it; it must never reach a log, an error message or the
// CLI by accident. So each algorithm's `key` is made non-enumerable: it is
// there when read explicitly, and left out by JSON.stringify, console.log /
// util.inspect, object spread and assert's diffs.
import { FAMILY_ALL, FAMILY_V4, FAMILY_V6 } from './constants';
import type { XfrmState, XfrmStateAlgo } from './types/xfrm';

/** Validates the family argument of the XFRM list calls (default FAMILY_ALL). */
export function checkXfrmFamily(family: unknown, name = 'family'): number {
  if (family === undefined) return FAMILY_ALL;
  if (typeof family !== 'number')
    throw new TypeError(`${name} must be a number (FAMILY_ALL, FAMILY_V4 or FAMILY_V6), got ${typeof family}`);
  if (family !== FAMILY_ALL && family !== FAMILY_V4 && family !== FAMILY_V6)
    throw new RangeError(`${name} must be FAMILY_ALL (0), FAMILY_V4 (2) or FAMILY_V6 (10), got ${family}`);
  return family;
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
