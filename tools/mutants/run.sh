#!/usr/bin/env bash
# Mutation testing over the code whose mistakes cost users data or access (issue 18).
#
#   tools/mutants/run.sh            the full scoped run (about an hour on 2 cores)
#   tools/mutants/run.sh --ci       the fast subset .ci/run uses (the CORS preflight evaluator)
#   tools/mutants/run.sh core       one group: core | cos | r2 | cli | emulator
#   tools/mutants/run.sh --in-place cos [cargo-mutants options]
#                                   mutate this tree and reuse its warm target/ (no copy; do
#                                   not edit sources while it runs); options after the group
#                                   go to cargo-mutants (e.g. -F REGEX, --timeout 30, -- --lib)
#
# Results land in target/mutants/<group>/mutants.out (caught.txt, missed.txt, unviable.txt,
# timeout.txt); docs/testing.md records them and explains every survivor. Needs cargo-mutants
# (`cargo install cargo-mutants --locked`).
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v cargo-mutants >/dev/null; then
  echo "cargo-mutants is not installed: cargo install cargo-mutants --locked" >&2
  exit 2
fi

out=target/mutants
mkdir -p "$out"

# Extra cargo-mutants options for every group (set by --in-place).
common=()
if [ "${1:-}" = "--in-place" ]; then
  common+=(--in-place)
  shift
fi

run_group() {
  local group=$1
  shift
  echo "== mutants: $group"
  # MUTANTS_TIMEOUT: seconds a mutant's tests may run (default 180; about 3x the baseline).
  cargo mutants --no-shuffle --timeout "${MUTANTS_TIMEOUT:-180}" --output "$out/$group" ${common[@]+"${common[@]}"} "$@"
}

group() {
  local g=$1
  shift
  # Options given after the group name come after the group's own filters; cargo test
  # arguments (after `--`) must come last, so they are kept apart.
  local opts=() test_args=()
  while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then
      shift
      test_args=(-- "$@")
      break
    fi
    opts+=("$1")
    shift
  done
  set -- ${opts[@]+"${opts[@]}"}
  case "$g" in
    core)
      run_group core -p bucket-admin-core \
        -f crates/core/src/preflight.rs -f crates/core/src/convert.rs \
        -f crates/core/src/retry.rs -f crates/core/src/error.rs "$@" ${test_args[@]+"${test_args[@]}"} ;;
    cos)
      run_group cos -p bucket-admin-cos \
        -f crates/cos/src/sign.rs -f 'crates/cos/src/wire/*.rs' "$@" ${test_args[@]+"${test_args[@]}"} ;;
    r2)
      run_group r2 -p bucket-admin-r2 -f 'crates/r2/src/wire/*.rs' "$@" ${test_args[@]+"${test_args[@]}"} ;;
    cli)
      run_group cli -p bucket-admin-cli -f crates/cli/src/copy.rs -f crates/cli/src/bulk.rs "$@" ${test_args[@]+"${test_args[@]}"} ;;
    emulator)
      run_group emulator -p bucket-admin-emulator \
        -f crates/emulator/src/cos/auth.rs -f crates/emulator/src/faults.rs "$@" ${test_args[@]+"${test_args[@]}"} ;;
    *)
      echo "unknown group $g (core, cos, r2, cli, emulator)" >&2
      exit 2 ;;
  esac
}

summary() {
  local dir=$1/mutants.out
  [ -d "$dir" ] || return 0
  printf '%-10s caught %4s  missed %4s  unviable %4s  timeout %4s\n' "$(basename "$1")" \
    "$(wc -l < "$dir/caught.txt")" "$(wc -l < "$dir/missed.txt")" \
    "$(wc -l < "$dir/unviable.txt")" "$(wc -l < "$dir/timeout.txt")"
}

case "${1:-all}" in
  --ci)
    # The fast subset: the CORS preflight evaluator decides who may call a bucket from a
    # browser; its tests are unit tests in one small crate, so each mutant costs seconds.
    run_group ci -p bucket-admin-core -f crates/core/src/preflight.rs -- --lib
    summary "$out/ci"
    ;;
  all)
    status=0
    for g in core cos r2 cli emulator; do group "$g" || status=$?; done
    for g in core cos r2 cli emulator; do summary "$out/$g"; done
    exit $status
    ;;
  *)
    group "$@"
    summary "$out/$1"
    ;;
esac
