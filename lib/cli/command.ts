// What a CLI command is: its flags, its help text, and a run() that returns
// what to print. lib/cli.ts parses argv and prints; commands do the rest.
import type { Handle } from '../handle';

export interface FlagSpec {
  /** Takes a value (--table 254) or is a switch (--json). */
  value: boolean;
  help: string;
}

export interface Command {
  name: string;
  summary: string;
  /** Flags beyond the common --netns, --json, --help. */
  flags: Record<string, FlagSpec>;
  /** Returns the text to print for `flags` (values are strings, switches true). */
  run(handle: Handle, flags: Record<string, string | true>): Promise<string>;
}

/** A usage error: printed with the command's help, exit code 2. */
export class UsageError extends Error {}
