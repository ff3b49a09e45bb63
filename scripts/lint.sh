#!/usr/bin/env bash
# npm run lint: ESLint (typescript-eslint's recommended rules), formatting
# (clang-format for C/C++, prettier for TypeScript) and type checks of lib/,
# test/ and bench/. `npm run lint -- --fix` rewrites what can be rewritten.
set -euo pipefail
cd "$(dirname "$0")/.."
cformat=$(command -v clang-format-14 || command -v clang-format || true)
[ -n "$cformat" ] || { echo "lint: clang-format not found (apt-get install clang-format-14)" >&2; exit 1; }
c_files=$(git ls-files 'src-native/*.cc' 'src-native/*.h' 'fuzz/*.cc' 'test/native/*.cc' 'test/uml/*.c' 'test/uml/*.h' 'bench/*.c')
ts_files=$(git ls-files 'lib/*.ts' 'test/*.ts' 'bench/*.ts' 'scripts/*.js' 'scripts/*.ts' 'bin/*.js')
if [ "${1:-}" = "--fix" ]; then
  npx eslint --fix lib test bench scripts bin
  $cformat -i $c_files
  npx prettier --log-level warn --write $ts_files
else
  npx eslint lib test bench scripts bin
  $cformat --dry-run -Werror $c_files
  npx prettier --log-level warn --check $ts_files
fi
npx tsc -p tsconfig.json --noEmit
npx tsc -p tsconfig.test.json
# The bench loads the compiled package: its types are dist/*.d.ts.
npm run --silent build:ts
npx tsc -p bench/tsconfig.json --noEmit
