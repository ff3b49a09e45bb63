// A conntrack event storm: bench/ct-insert creates and deletes many UDP
// flows in a namespace as fast as ctnetlink takes them (packed sendmsg
// batches), interleaved in chunks so the shared conntrack table never holds
// more than two chunks of them. Flow i is 10.(96 + i/65536).x.y:1000 ->
// 10.100.0.1:2000, so its source address names it; every `markEvery`-th
// flow gets mark 1 (the others mark 2), the storm's "1 %" filter.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ctInsertPath } from './conntrack';

export interface Storm {
  lines: string[];
  /** Source addresses of the flows that carry mark 1. */
  marked: Set<string>;
  flows: number;
}

export function flowSrc(i: number): string {
  return `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

/** ct-insert's tuple of flow i. */
export function flowTuple(i: number): string {
  return `family=4 proto=17 src=${flowSrc(i)} dst=10.100.0.1 sport=1000 dport=2000`;
}

export function storm(flows: number, markEvery = 100, chunk = 20_000, first = 0): Storm {
  const lines: string[] = [];
  const marked = new Set<string>();
  const tuple = flowTuple;
  for (let start = first; start < first + flows; start += chunk) {
    const end = Math.min(first + flows, start + chunk);
    for (let i = start; i < end; i++) {
      const mark = i % markEvery === 0 ? 1 : 2;
      if (mark === 1) marked.add(flowSrc(i));
      lines.push(`ct ${tuple(i)} mark=${mark} timeout=600`);
    }
    if (start > first) for (let i = start - chunk; i < start; i++) lines.push(`del ${tuple(i)}`);
  }
  const lastStart = first + Math.floor((flows - 1) / chunk) * chunk;
  for (let i = lastStart; i < first + flows; i++) lines.push(`del ${tuple(i)}`);
  return { lines, marked, flows };
}

/** ct-insert's input in a file of its own; remove it with rmInput. */
export function inputFile(lines: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nlwrap-storm-'));
  const file = path.join(dir, 'input');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

export function rmInput(file: string): void {
  rmSync(path.dirname(file), { recursive: true, force: true });
}

/**
 * Runs ct-insert in `ns` on `lines` (or an inputFile) without blocking the
 * event loop; resolves with its wall time in ms. The input goes through a
 * file: with an inputFile made beforehand, no copy of it is made in this
 * process while the storm runs (tests measure this process's memory).
 */
export async function ctInsertAsync(ns: string, lines: string[] | { file: string }): Promise<number> {
  const bin = ctInsertPath();
  const file = Array.isArray(lines) ? inputFile(lines) : lines.file;
  const fd = openSync(file, 'r');
  try {
    return await new Promise((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn('ip', ['netns', 'exec', ns, bin], { stdio: [fd, 'ignore', 'pipe'] });
      let err = '';
      child.stderr?.on('data', (b: Buffer) => {
        if (err.length < 4000) err += b.toString();
      });
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(performance.now() - t0) : reject(new Error(`ct-insert failed (${code}): ${err}`)),
      );
    });
  } finally {
    closeSync(fd);
    if (Array.isArray(lines)) rmInput(file);
  }
}
