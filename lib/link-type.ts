// isLinkType: the type guard that narrows a Link to one kind. TypeScript
// cannot narrow on `link.type === 'bond'` alone, since GenericLink's type is
// any string (a kind nlwrap has no decoder for).
import type { KnownLink, Link, LinkOfType } from './types/link';

/** True when `link` is of kind `type`, narrowing it to that kind's interface. */
export function isLinkType<K extends KnownLink['type']>(link: Link, type: K): link is LinkOfType<K> {
  return link.type === type;
}
