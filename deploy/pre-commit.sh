#!/usr/bin/env bash
# pre-commit hook: run `clerkguard scan FILE` on each staged file.
#
# `clerkguard scan` takes one target, while pre-commit passes many file
# names, so this wrapper scans them one by one. Flags before, between or
# after the files (--fail-on, --format, --config) are passed to every scan.
# When no --config is given and .github/clerkguard.yml exists in the
# repository being committed to, it is used, as a full scan would.
#
# Single-file scans see only that file: findings that need the whole project
# (middleware coverage of a route, the Clerk SDK version from package.json)
# are left to the CI review (`clerkguard review`, action.yml) and the App.
#
# The binary: $CLERKGUARD_BIN if set; else built from the clerkguard checkout
# this script lives in (pre-commit clones the pinned rev; needs Go and a C
# compiler) into its bin/; else `clerkguard` on PATH.
#
# Exit: 0 clean, 1 a file has findings at or above --fail-on, 2 an error.
set -uo pipefail

flags=()
files=()
have_config=0
while [ $# -gt 0 ]; do
  case "$1" in
    --format|--config|--fail-on|-format|-config|-fail-on)
      [ $# -ge 2 ] || { echo "clerkguard pre-commit: $1 needs a value" >&2; exit 2; }
      case "$1" in *config) have_config=1 ;; esac
      flags+=("$1" "$2"); shift 2 ;;
    --config=*|-config=*) have_config=1; flags+=("$1"); shift ;;
    --) shift; files+=("$@"); break ;;
    -*) flags+=("$1"); shift ;;
    *) files+=("$1"); shift ;;
  esac
done
if [ $have_config -eq 0 ] && [ -f .github/clerkguard.yml ]; then
  flags+=(--config .github/clerkguard.yml)
fi
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

status=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  "$bin" scan "${flags[@]}" "$f"
  rc=$?
  if [ $rc -ge 2 ]; then
    status=2
  elif [ $rc -eq 1 ] && [ $status -eq 0 ]; then
    status=1
  fi
done
exit $status
