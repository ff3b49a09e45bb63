// A native operation read to its end, as the tests of the socket core need
// it: every chunk of records as the addon queued it, and how it ended. A
// failure rejects with the addon's own error object (code, errno, extack),
// not a NetlinkError, so tests see exactly what the native side reported.
import type { NativeEnd, NativeHandle, NativeRecords } from '../../lib/binding';
import type { OpArgs, OpName } from '../../lib/generated/args';

export interface NativeCallResult extends NativeEnd {
  chunks: NativeRecords[];
}

export async function callNative<O extends OpName>(
  nh: NativeHandle,
  op: O,
  args: OpArgs[O],
  timeoutMs: number,
  onChunk?: (chunk: NativeRecords) => void,
): Promise<NativeCallResult> {
  const stream = nh.start(op, args, timeoutMs, 0);
  const chunks: NativeRecords[] = [];
  for (;;) {
    const { items, end } = await stream.read();
    for (const item of items) {
      const records = item as NativeRecords;
      chunks.push(records);
      onChunk?.(records);
    }
    if (end === null) continue;
    if (end.error) throw end.error;
    return { ...end, chunks };
  }
}
