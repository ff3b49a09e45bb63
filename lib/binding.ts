// The native addon and the shape of its surface. node-gyp-build loads the
// prebuild for this platform from prebuilds/, or build/Release when built
// from source. Nothing typed `any` leaves this file.
import path from 'node:path';
import nodeGypBuild from 'node-gyp-build';

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
  blob: Buffer;
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

export type NativeArgs = Record<string, number | string | boolean | Uint8Array | undefined>;

export interface NativeSubscribeOptions {
  source: 'rtnetlink';
  /** Multicast groups (RTNLGRP_*), as a Uint32Array's bytes. */
  groups: Uint8Array;
  /** SO_RCVBUF (0: the kernel's default), SO_RCVBUFFORCE when rcvbufForce. */
  rcvbuf: number;
  rcvbufForce: boolean;
  /** Events queued for JS at most; more are dropped behind a loss marker. */
  maxQueued: number;
}

export interface NativeHandle {
  /** Starts `op`; at most `bound` chunks wait for the reader (0: no bound). */
  start(op: string, args: NativeArgs, timeoutMs: number, bound: number): NativeStream;
  /** Opens and joins a multicast socket now; events are read on an addon thread. */
  subscribe(options: NativeSubscribeOptions): NativeStream;
  close(): void;
  readonly closed: boolean;
}

export interface NativeHandleOptions {
  nsPath?: string;
  nsFd?: number;
  protocols?: number[];
  /** Test-only: a socketpair end playing the kernel. */
  fakeKernelFd?: number;
  protocol?: number;
  port?: number;
}

/** Test-only plumbing of the fake kernel (src-native/testing.cc). */
export interface NativeTesting {
  socketpair(): [coreFd: number, peerFd: number];
  recv(fd: number): Buffer | null;
  send(fd: number, buf: Uint8Array): number;
  close(fd: number): void;
  netlinkSocket(nsPath: string | null, rcvbuf: number): { fd: number; port: number };
}

export interface NativeBinding {
  NativeHandle: new (options: NativeHandleOptions) => NativeHandle;
  parse(parser: string, buf: Uint8Array): NativeRecords;
  /** Frees a decoded chunk's buffers now rather than at a later GC; its arrays read as empty afterwards. */
  release(records: NativeRecords): void;
  schemas: NativeSchema[];
  constants: Record<string, number>;
  ops: string[];
  parsers: string[];
  sourceHash: string;
  testing: NativeTesting;
}

export const binding: NativeBinding = nodeGypBuild(path.join(__dirname, '..')) as NativeBinding;
