// Child processes for the bench, run asynchronously so that SIGINT is handled
// at once (a signal handler cannot run while spawnSync blocks the event loop),
// and tracked so that the handler can stop the ones still running.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

const running = new Set<ChildProcess>();

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, ms. */
  ms: number;
  error?: Error;
}

export interface RunOptions {
  input?: string;
  /** Discard stdout (whole-process timings: nothing is buffered). */
  discardStdout?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function run(cmd: string, args: string[], o: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, {
      stdio: [o.input === undefined ? 'ignore' : 'pipe', o.discardStdout ? 'ignore' : 'pipe', 'pipe'],
      env: o.env ?? process.env,
      cwd: o.cwd,
    });
    running.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    let error: Error | undefined;
    child.on('error', (e) => {
      error = e;
    });
    child.on('close', (status) => {
      running.delete(child);
      resolve({
        status,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: Number(process.hrtime.bigint() - t0) / 1e6,
        error,
      });
    });
    if (o.input !== undefined) child.stdin?.end(o.input);
  });
}

/** Like run, but rejects with the command's stderr when it fails. */
export async function runOk(cmd: string, args: string[], o: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, o);
  if (r.error) throw r.error;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.slice(0, 4).join(' ')} … failed (${r.status}): ${r.stderr.trim().slice(0, 500)}`);
  return r.stdout;
}

/** A long-running child (a receiver) that the signal handler also stops. */
export function spawnTracked(cmd: string, args: string[], cwd?: string): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd });
  running.add(child);
  child.on('close', () => running.delete(child));
  return child;
}

/** utime + stime of a running process, every thread, ms (from /proc: clock ticks of 1/100 s). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

/** Sends SIGKILL to every child still running (signal handler). */
export function killChildren(): void {
  for (const c of running) c.kill('SIGKILL');
}
