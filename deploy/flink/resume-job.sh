#!/usr/bin/env bash
# Entry point of the compose job manager: starts Flink's standalone job from the newest completed retained checkpoint
# when there is one. Without high availability (compose has none) a job manager that restarts would otherwise start
# the job afresh from the consumer group's committed offsets with empty state: a video whose END was read would never
# get its FINAL verdict, and one that was playing would lose what came before.
set -euo pipefail
dir="${LIPSYNC_CHECKPOINT_DIR:-/flink-data/checkpoints}"
entrypoint="${FLINK_ENTRYPOINT:-/docker-entrypoint.sh}"
latest=""
if [ -d "$dir" ]; then
  # <dir>/<job id>/chk-<n>/_metadata; a checkpoint without _metadata was not completed
  latest="$(find "$dir" -mindepth 3 -maxdepth 3 -path '*/chk-*/_metadata' -printf '%T@ %h\n' 2>/dev/null \
    | sort -n | tail -n 1 | cut -d ' ' -f 2-)"
fi
if [ -n "$latest" ]; then
  echo "resume-job: resuming from the retained checkpoint $latest" >&2
  exec "$entrypoint" standalone-job --fromSavepoint "$latest" "$@"
fi
echo "resume-job: no retained checkpoint under $dir; starting afresh" >&2
exec "$entrypoint" standalone-job "$@"
