#!/usr/bin/env node
// Fails when a prebuild needs more than the oldest platform Node 20 runs on:
// glibc 2.28 (Debian 10, RHEL 8, Ubuntu 18.10) and, from libgcc_s, GCC 8's.
// libstdc++ must not be needed at all (the prebuilds link it statically), and
// each binary must be stripped and of its directory's architecture. Reads the
// ELF dynamic section and version needs (what `objdump -p` shows as "Version
// References") itself, so it checks arm64 binaries on an x64 host too.
//   node scripts/check-glibc-baseline.js [file.node...]   (default: prebuilds/linux-*/*.glibc.node)
'use strict';
const fs = require('fs');
const path = require('path');

// Highest symbol version allowed per version family.
const BASELINE = { GLIBC: '2.28', GCC: '7.0.0' };
const MACHINES = { 62: 'x64', 183: 'arm64' }; // EM_X86_64, EM_AARCH64
const ALLOWED_LIBS =
  /^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|libgcc_s\.so\.1|ld-linux-(x86-64|aarch64)\.so\.[12])$/;

/** The parts of a 64-bit little-endian ELF shared object that decide where it loads. */
function readElf(file) {
  const b = fs.readFileSync(file);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1)
    throw new Error(`${file}: not a 64-bit little-endian ELF file`);
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const sections = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    sections.push({
      name: b.readUInt32LE(o),
      type: b.readUInt32LE(o + 4),
      offset: Number(b.readBigUInt64LE(o + 24)),
      size: Number(b.readBigUInt64LE(o + 32)),
      link: b.readUInt32LE(o + 40),
      info: b.readUInt32LE(o + 44),
    });
  }
  const str = (sec, off) => {
    const start = sections[sec].offset + off;
    return b.toString('latin1', start, b.indexOf(0, start));
  };
  const shstrndx = b.readUInt16LE(0x3e);
  const names = sections.map((s) => str(shstrndx, s.name));
  const needed = [];
  const versions = []; // { lib, version }
  for (const s of sections) {
    if (s.type === 6) {
      // SHT_DYNAMIC: DT_NEEDED entries name the libraries.
      for (let o = s.offset; o < s.offset + s.size; o += 16) {
        if (b.readBigInt64LE(o) === 1n) needed.push(str(s.link, Number(b.readBigUInt64LE(o + 8))));
      }
    } else if (s.type === 0x6ffffffe) {
      // SHT_GNU_verneed: per library, the symbol versions it must define.
      let vn = s.offset;
      for (let i = 0; i < s.info; i++) {
        const lib = str(s.link, b.readUInt32LE(vn + 4));
        let aux = vn + b.readUInt32LE(vn + 8);
        for (let j = 0; j < b.readUInt16LE(vn + 2); j++) {
          versions.push({ lib, version: str(s.link, b.readUInt32LE(aux + 8)) });
          aux += b.readUInt32LE(aux + 12);
        }
        vn += b.readUInt32LE(vn + 12);
      }
    }
  }
  return {
    arch: MACHINES[b.readUInt16LE(18)] || `machine ${b.readUInt16LE(18)}`,
    needed,
    versions,
    stripped: !names.includes('.symtab'),
  };
}

function newer(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] || 0) !== (y[i] || 0)) return (x[i] || 0) > (y[i] || 0);
  }
  return false;
}

/** Problems of one prebuild, as sentences; empty when it is within the baseline. */
function problems(file, elf, wantArch) {
  const out = [];
  if (wantArch && elf.arch !== wantArch) out.push(`is ${elf.arch}, not ${wantArch}`);
  if (!elf.stripped) out.push('is not stripped');
  for (const lib of elf.needed) if (!ALLOWED_LIBS.test(lib)) out.push(`needs ${lib}`);
  for (const { lib, version } of elf.versions) {
    if (!ALLOWED_LIBS.test(lib)) continue; // already reported as a whole
    const m = /^([A-Z]+)_([0-9.]+)$/.exec(version);
    const limit = m && BASELINE[m[1]];
    if (!limit) out.push(`needs ${version} from ${lib}, outside the baseline`);
    else if (newer(m[2], limit)) out.push(`needs ${version} from ${lib}, newer than ${m[1]}_${limit}`);
  }
  return out;
}

/** Highest version of each family, for the report line. */
function highest(elf) {
  const top = {};
  for (const { version } of elf.versions) {
    const m = /^([A-Z]+)_([0-9.]+)$/.exec(version);
    if (m && (!top[m[1]] || newer(m[2], top[m[1]]))) top[m[1]] = m[2];
  }
  return Object.entries(top)
    .map(([k, v]) => `${k}_${v}`)
    .join(', ');
}

if (require.main === module) {
  const root = path.join(__dirname, '..');
  let files = process.argv.slice(2);
  if (files.length === 0) {
    const dir = path.join(root, 'prebuilds');
    files = fs
      .readdirSync(dir)
      .filter((d) => d.startsWith('linux-'))
      .flatMap((d) => fs.readdirSync(path.join(dir, d)).map((f) => path.join(dir, d, f)))
      .filter((f) => f.endsWith('.glibc.node'));
    if (files.length === 0) {
      console.error('check-glibc-baseline: no prebuilds/linux-*/*.glibc.node');
      process.exit(1);
    }
  }
  let failed = false;
  for (const file of files) {
    const elf = readElf(file);
    const dirArch = /linux-(\w+)$/.exec(path.dirname(path.resolve(file)));
    const bad = problems(file, elf, dirArch && dirArch[1]);
    const name = path.relative(root, path.resolve(file));
    if (bad.length) {
      failed = true;
      console.error(`${name}: ${bad.join('; ')}`);
    } else {
      console.log(`${name}: ${elf.arch}, needs ${elf.needed.join(' ')}; highest ${highest(elf)}: within glibc ${BASELINE.GLIBC}`);
    }
  }
  process.exit(failed ? 1 : 0);
}
module.exports = { readElf, problems, BASELINE };
