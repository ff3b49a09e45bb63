// The package-level functions' handle: opened on first use, in the caller's
// namespace, with default options. It holds no libuv handle, so it never
// keeps the process alive.
import { Handle } from './handle';

let shared: Handle | undefined;

export function defaultHandle(): Handle {
  if (shared === undefined || shared.closed) shared = new Handle();
  return shared;
}
