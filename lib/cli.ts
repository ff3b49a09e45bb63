// The nlwrap command line: `nlwrap <command> [--netns NAME] [--json] ...`.
// Exit codes: 0 success, 1 a netlink error (stderr), 2 a usage error.
import { Handle } from './handle';
import { NetlinkError } from './errors';
import { UsageError, type Command } from './cli/command';
import { links } from './cli/links';
import { addrs } from './cli/addrs';
import { routes } from './cli/routes';

import { xfrmPolicies, xfrmStates } from './cli/xfrm';

import { conntrack, conntrackDelete } from './cli/conntrack';
import { monitor } from './cli/monitor';

const COMMANDS: Command[] = [links, addrs, routes, xfrmPolicies, xfrmStates, conntrack, conntrackDelete, monitor];

const COMMON = {
  netns: { value: true, help: 'network namespace: a name under /var/run/netns or a path' },
  json: { value: false, help: 'print JSON (64-bit counters as decimal strings)' },
  help: { value: false, help: 'show help' },
};

function usage(cmd?: Command): string {
  if (!cmd) {
    const names = COMMANDS.map((c) => `  ${c.name.padEnd(18)}${c.summary}`).join('\n');
    return `usage: nlwrap <command> [--netns NAME] [--json] [options]\n\ncommands:\n${names}\n\nnlwrap <command> --help for a command's options\n`;
  }
  const flags = { ...cmd.flags, ...COMMON };
  const lines = Object.entries(flags).map(([k, f]) => `  --${k}${f.value ? ' VALUE' : ''}`.padEnd(28) + f.help);
  return `usage: nlwrap ${cmd.name}${cmd.args ? ` ${cmd.args}` : ''} [options]\n${cmd.summary}\n\noptions:\n${lines.join('\n')}\n`;
}

function parseFlags(cmd: Command, argv: string[], positional: string[]): Record<string, string | true> {
  // No prototype: `--constructor` is unknown, and a flag not given is absent
  // whatever Object.prototype holds.
  const specs: Record<string, { value: boolean }> = Object.assign(Object.create(null), cmd.flags, COMMON);
  const out: Record<string, string | true> = Object.create(null);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (cmd.args === undefined) throw new UsageError(`unexpected argument '${arg}'`);
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option --${name}`);
    if (!spec.value) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out[name] = true;
    } else if (eq >= 0) {
      out[name] = arg.slice(eq + 1);
    } else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      out[name] = argv[++i];
    }
  }
  return out;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(
  argv: string[] = process.argv.slice(2),
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? err : out)(usage());
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    err(`nlwrap: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  let handle: Handle | undefined;
  try {
    const args: string[] = [];
    const flags = parseFlags(cmd, rest, args);
    if (flags.help) {
      out(usage(cmd));
      return 0;
    }
    const protocol = typeof cmd.protocol === 'function' ? cmd.protocol(args) : cmd.protocol;
    handle = new Handle({ ...(typeof flags.netns === 'string' ? { netns: flags.netns } : {}), families: [protocol] });
    if (cmd.follow) return await cmd.follow(handle, flags, args, out);
    out(await cmd.run(handle, flags, args));
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof TypeError || e instanceof RangeError) {
      err(`nlwrap ${name}: ${e.message}\n\n${usage(cmd)}`);
      return 2;
    }
    if (e instanceof NetlinkError) {
      err(`nlwrap ${name}: ${e.message} (${e.code})\n`);
      return 1;
    }
    throw e;
  } finally {
    handle?.close();
  }
}
