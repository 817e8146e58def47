# shellcheck shell=bash
# Small helpers shared by the .ci/ scripts (sourced, not executed).
# Every step prints exactly one progress line: "[tag] step: message (N.Ns)".

: "${CI_TAG:=ci}"

step_begin() { _CI_STEP_T0=$EPOCHREALTIME; }

# step_end <step> <message>
step_end() {
  local el
  el=$(awk -v a="${_CI_STEP_T0:-$EPOCHREALTIME}" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  printf '[%s] %s: %s (%ss)\n' "$CI_TAG" "$1" "$2" "$el"
}

die() { printf '[%s] ERROR: %s\n' "$CI_TAG" "$*" >&2; exit 1; }

# quiet <cmd...>: run a command, show its output only if it fails.
quiet() {
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  if [ "$rc" -ne 0 ]; then
    printf '%s\n' "$out" | tail -n 40 >&2
    printf '[%s] command failed (exit %s): %s\n' "$CI_TAG" "$rc" "$*" >&2
    return "$rc"
  fi
}

docker_up() { timeout 10 docker info >/dev/null 2>&1; }
