// Argument checks shared by the calls: TypeError for a wrong type, RangeError
// for a value out of range, each naming the argument, before anything is sent.
// Options are read from their own properties only: whatever some other code
// put on Object.prototype (a `netns`, a `timeoutMs`) never counts.

/** IFNAMSIZ: names up to 15 bytes go in IFLA_IFNAME. */
export const IFNAMSIZ = 16;
/** ALTIFNAMSIZ: alternative names up to 127 bytes. */
export const ALTIFNAMSIZ = 128;

export function checkInteger(value: unknown, name: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
}

export function checkIfindex(value: unknown, name: string): asserts value is number {
  checkInteger(value, name, 1, 2 ** 31 - 1);
}

export function checkLinkName(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${typeof value}`);
  const bytes = Buffer.byteLength(value);
  if (bytes === 0) throw new RangeError(`${name} must not be empty`);
  if (bytes >= ALTIFNAMSIZ) throw new RangeError(`${name} is ${bytes} bytes; link names are at most ${ALTIFNAMSIZ - 1}`);
  if (value.includes('\0')) throw new RangeError(`${name} must not contain NUL`);
}

/** `o[key]` when it is an own property of `o`, else undefined; the value is read once. */
export function ownProp(o: object, key: string): unknown {
  return Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

/** The own enumerable properties of `o` on an object without a prototype: what the addon is given. */
export function bare<T extends object>(o: T): T {
  return Object.assign(Object.create(null) as T, o);
}
