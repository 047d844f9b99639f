#!/usr/bin/env bash
# pre-commit hook: run `clerkguard scan FILE...` on the staged files.
#
# One scan analyses the staged files with the project around each of them
# as context (its middleware, its package.json, the modules it imports) and
# reports findings in those files only, with paths relative to the
# repository and the repository's .github/clerkguard.yml applied: what a
# full scan reports on the same files. Flags before, between or after the
# files (--fail-on, --format, --config) are passed to the scan; files that
# no longer exist (deleted in the commit) are left out.
#
# The binary: $CLERKGUARD_BIN if set; else built from the clerkguard checkout
# this script lives in (pre-commit clones the pinned rev; needs Go and a C
# compiler) into its bin/; else `clerkguard` on PATH.
#
# Exit: 0 clean, 1 a file has findings at or above --fail-on, 2 an error.
set -uo pipefail

flags=()
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --format|--config|--fail-on|--output|-format|-config|-fail-on|-output)
      [ $# -ge 2 ] || { echo "clerkguard pre-commit: $1 needs a value" >&2; exit 2; }
      flags+=("$1" "$2"); shift 2 ;;
    --) shift; for f in "$@"; do [ -f "$f" ] && files+=("$f"); done; break ;;
    -*) flags+=("$1"); shift ;;
    *) [ -f "$1" ] && files+=("$1"); shift ;;
  esac
done
[ ${#files[@]} -gt 0 ] || exit 0

bin="${CLERKGUARD_BIN:-}"
if [ -z "$bin" ]; then
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if [ -f "$root/cmd/clerkguard/main.go" ] && command -v go >/dev/null 2>&1; then
    if ! (cd "$root" && CGO_ENABLED=1 go build -trimpath -o bin/clerkguard ./cmd/clerkguard); then
      echo "clerkguard pre-commit: cannot build clerkguard in $root (error above; it needs Go and a C compiler); or set CLERKGUARD_BIN" >&2
      exit 2
    fi
    bin="$root/bin/clerkguard"
  elif command -v clerkguard >/dev/null 2>&1; then
    bin="$(command -v clerkguard)"
  else
    echo "clerkguard pre-commit: no clerkguard binary: install it (go install github.com/clerkguard/clerkguard/cmd/clerkguard@latest) or set CLERKGUARD_BIN" >&2
    exit 2
  fi
fi

if [ ! -x "$bin" ]; then
  echo "clerkguard pre-commit: $bin is not an executable clerkguard binary (CLERKGUARD_BIN?)" >&2
  exit 2
fi
exec "$bin" scan "${flags[@]}" -- "${files[@]}"
