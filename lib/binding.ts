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

/** A reply from the kernel: records plus what the socket saw. */
export interface NativeReply extends NativeRecords {
  bytes: number;
  datagrams: number;
  messages: number;
  result: number;
}

export type NativeArgs = Record<string, number | string | boolean | Uint8Array | undefined>;

export interface NativeHandle {
  /** With onChunk, root records arrive in chunks while the dump is read; the reply holds the rest. */
  call(op: string, args: NativeArgs, timeoutMs: number, onChunk?: (chunk: NativeRecords) => void): Promise<NativeReply>;
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
  schemas: NativeSchema[];
  constants: Record<string, number>;
  ops: string[];
  parsers: string[];
  sourceHash: string;
  testing: NativeTesting;
}

export const binding: NativeBinding = nodeGypBuild(path.join(__dirname, '..')) as NativeBinding;
