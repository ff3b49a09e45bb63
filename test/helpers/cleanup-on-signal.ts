// Ctrl-C or a runner's SIGTERM ends a process without running its 'exit'
// handlers, which would leave its namespaces behind: run `cleanup` first,
// then die of the same signal.
export function cleanupOnSignal(cleanup: () => void): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      cleanup();
      process.kill(process.pid, signal);
    });
}
