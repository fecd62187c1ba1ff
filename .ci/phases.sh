# shellcheck shell=bash
# Phase bookkeeping for .ci/run, sourced (kept apart so a test can drive it with a failing
# command). Every phase prints its wall time; a failing command prints, on the last lines, the
# phase it broke, the command and its exit status, so a red run is never silent.

phase_name="setup"
phase_start=$(date +%s)
ci_start=$phase_start
phase_times=()

phase() {
  phase_name="$1"
  phase_start=$(date +%s)
  echo
  echo "=== phase: $phase_name ==="
}

phase_end() {
  local took=$(($(date +%s) - phase_start))
  phase_times+=("$phase_name: ${took}s")
  echo "=== phase: $phase_name took ${took}s ==="
}

phase_summary() {
  local line
  echo
  for line in "${phase_times[@]}"; do echo "  $line"; done
  echo "=== CI total: $(($(date +%s) - ci_start))s ==="
}

# set -E: the trap also fires inside functions and subshells. BASH_COMMAND is the command that
# failed; $? must be read first, before anything else runs.
on_error() {
  local status=$? command=$BASH_COMMAND line=${BASH_LINENO[0]}
  trap - ERR
  # In a subshell, leave the report to the parent, which sees the whole ( … ) fail.
  if [ "$BASH_SUBSHELL" -gt 0 ]; then exit "$status"; fi
  echo
  echo "=== FAILED: phase '$phase_name' after $(($(date +%s) - phase_start))s ==="
  echo "=== command (line $line): $command ==="
  echo "=== exit status: $status ==="
  exit "$status"
}
set -Eeuo pipefail
trap on_error ERR
