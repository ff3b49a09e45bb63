// One native operation read to its end: the addon runs it on a thread of
// its own and queues its records as the kernel sends them; they are decoded
// here while the rest is still arriving. No retries (see retry.ts).
import type { NativeEnd, NativeHandle, NativeRecords, NativeStream } from './binding';
import type { OpArgs, OpName } from './generated/args';
import { StreamDecoder, type Root, type Roots } from './decode';
import { fromNative } from './errors';

export interface NativeResult<T> {
  items: T[];
  reply: NativeEnd;
}

/** Starts `op`, whose records are of schema `root`, and reads it to the end; kernel and socket errors reject as NetlinkError. */
export async function nativeRequest<O extends OpName, K extends Root>(
  native: NativeHandle,
  name: string,
  op: O,
  args: OpArgs[O],
  timeoutMs: number,
  root: K,
): Promise<NativeResult<Roots[K]>> {
  let stream: NativeStream;
  try {
    stream = native.start(op, args, timeoutMs, 0);
  } catch (err) {
    throw fromNative(err, name);
  }
  const decoder = new StreamDecoder(root);
  let end = null;
  try {
    while (end === null) {
      const read = await stream.read();
      // A request's stream holds records only (loss markers are events').
      for (const item of read.items) decoder.push(item as NativeRecords);
      end = read.end;
    }
  } finally {
    // A chunk that failed to decode leaves the rest unread: stop the op.
    if (end === null) stream.close();
  }
  if (end.error) throw fromNative(end.error, name);
  return { items: await decoder.finish(), reply: end };
}
