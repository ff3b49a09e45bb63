// The native addon and the shape of its surface. node-gyp-build loads the
// prebuild for this platform from prebuilds/, or build/Release when built
// from source. Nothing typed `any` leaves this file.
import path from 'node:path';
import nodeGypBuild from 'node-gyp-build';
import type { OpArgs, OpName, SubscribeArgs } from './generated/args';

export type FieldType = 'num' | 'bool' | 'bigint' | 'str' | 'bytes' | 'list' | 'variant' | 'strs' | 'obj' | 'variantobj';

export interface NativeField {
  name: string;
  type: FieldType;
  cell: number;
  child: string;
  /** Variant and VariantObj fields: the schema name for each value that selects one (a link's kind). */
  variants?: Record<string, string>;
}

export interface NativeSchema {
  name: string;
  id: number;
  cells: number;
  fields: NativeField[];
}

/** Parsed records as the addon hands them over (see src-native/record.h). */
export interface NativeRecords {
  root: number;
  count: number;
  cells: (Float64Array | undefined)[];
  strings: string;
  stringOffsets: Uint32Array;
  stringLists: Uint32Array;
  blob: Uint8Array;
  interrupted: boolean;
}

/** An error as the addon makes it (lib/errors.ts fromNative wraps it). */
export interface NativeError {
  message: string;
  code: string;
  errno: number;
  op: string;
  extack?: string;
}

/** A loss marker: events the kernel (ENOBUFS) or the queue (QUEUE_OVERFLOW) dropped. */
export interface NativeLoss {
  loss: 'ENOBUFS' | 'QUEUE_OVERFLOW' | 'EBADMSG';
  /** How many were dropped, when known. */
  dropped: number | null;
}

/** How a stream's producer ended. */
export interface NativeEnd {
  ok: boolean;
  /** Stopped by close() (or its handle's): not an error. */
  cancelled: boolean;
  /** NLM_F_DUMP_INTR seen on any message. */
  interrupted: boolean;
  bytes: number;
  datagrams: number;
  messages: number;
  /** An operation's scalar answer (flows deleted). */
  result: number;
  error: NativeError | null;
}

/** What one read() takes: every item queued so far, and the end once the producer is done. */
export interface NativeRead {
  items: (NativeRecords | NativeLoss)[];
  end: NativeEnd | null;
}

/** Records produced on the addon's threads (src-native/stream.h). */
export interface NativeStream {
  read(): Promise<NativeRead>;
  /** Idempotent; a waiting read resolves with a cancelled end. */
  close(): void;
  ref(): void;
  unref(): void;
  /** Read from the socket so far (dumps): with backpressure it stops growing while nobody reads. */
  progress(): NativeProgress;
}

export interface NativeProgress {
  bytes: number;
  datagrams: number;
}

/** One declared argument of an operation (NLW_ARGS in src-native/args.h). */
export interface NativeArgField {
  name: string;
  type: 'u8' | 'u16' | 'u32' | 'bool' | 'str' | 'bytes';
  optional: boolean;
}

/** The event sources the addon knows (src-native/events*.cc). */
export type NativeEventSource = 'rtnetlink' | 'netfilter' | 'xfrm';

export interface NativeHandle {
  /**
   * Starts `op` with its arguments (lib/generated/args.ts; any other key, a
   * missing one or a wrong type throws TypeError); at most `bound` chunks
   * wait for the reader (0: no bound).
   */
  start<O extends OpName>(op: O, args: OpArgs[O], timeoutMs: number, bound: number): NativeStream;
  /**
   * Opens and joins a multicast socket now (source 'rtnetlink', groups as a
   * Uint32Array's bytes, SO_RCVBUF, SO_RCVBUFFORCE when rcvbufForce, events
   * queued for JS at most); events are read on an addon thread.
   */
  subscribe(options: SubscribeArgs): NativeStream;
  close(): void;
  readonly closed: boolean;
}

/** Exactly these keys: the addon rejects any other. */
export interface NativeHandleOptions {
  nsPath?: string;
  nsFd?: number;
  protocols: number[];
}

export interface NativeBinding {
  NativeHandle: new (options: NativeHandleOptions) => NativeHandle;
  parse(parser: string, buf: Uint8Array): NativeRecords;
  /** Frees a decoded chunk's buffers now rather than at a later GC; its arrays read as empty afterwards. */
  release(records: NativeRecords): void;
  schemas: NativeSchema[];
  constants: Record<string, number>;
  ops: string[];
  /** Each op's declared arguments, and subscribe()'s (scripts/gen-decoders.ts writes lib/generated/args.ts from them). */
  opArgs: Record<string, NativeArgField[]>;
  subscribeArgs: NativeArgField[];
  parsers: string[];
  sourceHash: string;
}

export const binding: NativeBinding = nodeGypBuild(path.join(__dirname, '..')) as NativeBinding;
