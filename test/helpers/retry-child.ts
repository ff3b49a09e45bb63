// Child process for test/fake/retry.test.ts: the default logger's once-per-process
// warning can only be observed in a fresh process. Prints one JSON line.
import { defaultLogger, withRetries } from '../../lib/retry';

const warnings: { code?: string; message: string; detail?: string }[] = [];
process.on('warning', (w) =>
  warnings.push({ code: (w as { code?: string }).code, message: w.message, detail: (w as { detail?: string }).detail }),
);

async function callerOfNlwrap(): Promise<void> {
  const site: { stack?: string } = {};
  Error.captureStackTrace(site);
  const stats = { calls: 0, interruptedAttempts: 0, exhaustedCalls: 0 };
  const policy = { maxAttempts: 2, onInterrupted: 'return' as const, logger: defaultLogger };
  for (let i = 0; i < 3; i++) await withRetries('linkList', policy, stats, site, async () => ({ value: [i], interrupted: true }));
}

void callerOfNlwrap().then(() => setImmediate(() => process.stdout.write(JSON.stringify({ warnings }) + '\n')));
