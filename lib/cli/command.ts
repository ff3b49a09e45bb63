// What a CLI command is: its flags, its help text, and a run() that returns
// what to print. lib/cli.ts parses argv and prints; commands do the rest.
import { FAMILY_ALL, FAMILY_V4, FAMILY_V6 } from '../constants';
import type { Handle } from '../handle';

export interface FlagSpec {
  /** Takes a value (--table 254) or is a switch (--json). */
  value: boolean;
  help: string;
}

export interface Command {
  name: string;
  summary: string;
  /** The netlink protocol of its calls: the CLI opens only that socket, so
   * `nlwrap links` needs neither xfrm_user nor nf_conntrack_netlink. A
   * function when it depends on the positional arguments (monitor). */
  protocol: number | ((args: string[]) => number);
  /** Flags beyond the common --netns, --json, --help. */
  flags: Record<string, FlagSpec>;
  /** Positional arguments it takes, for the help text ('<links|addrs|routes>'); none when absent. */
  args?: string;
  /** Returns the text to print for `flags` (values are strings, switches true) and positional `args`. */
  run(handle: Handle, flags: Record<string, string | true>, args: string[]): Promise<string>;
  /** A long-running command prints as it goes instead; resolves to the exit code. */
  follow?(handle: Handle, flags: Record<string, string | true>, args: string[], out: (s: string) => void): Promise<number>;
}

/** A usage error: printed with the command's help, exit code 2. */
export class UsageError extends Error {}

/** The --family flag of every command: 4 / inet, 6 / inet6, or all (the default). */
export const FAMILY_FLAG: FlagSpec = { value: true, help: '4 (inet), 6 (inet6) or all (default)' };

export function familyFlag(value: string | true | undefined): number {
  if (value === undefined || value === 'all') return FAMILY_ALL;
  if (value === '4' || value === 'inet') return FAMILY_V4;
  if (value === '6' || value === 'inet6') return FAMILY_V6;
  throw new UsageError(`--family must be 4, 6 or all, got '${String(value)}'`);
}
