#!/bin/bash
# Submits a stacksim experiment to Slurm as N shards and a dependent merge:
#
#   deploy/slurm/submit.sh N EXPERIMENT SHARDS_DIR OUT [run options...]
#
# Prints the two job ids ("ARRAY_ID MERGE_ID"). With WAIT=1 it waits for the
# merge job (sbatch --wait) and exits with its status. STACKSIM (the binary)
# and SBATCH_* variables are passed to the jobs as Slurm passes the
# environment.
set -euo pipefail
if [ $# -lt 4 ]; then
    echo "usage: $0 N EXPERIMENT SHARDS_DIR OUT [run options...]" >&2
    exit 2
fi
n=$1 experiment=$2 shards=$3 out=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
array=$(sbatch --parsable --array="0-$((n - 1))" "$here/shard.sbatch" "$experiment" "$shards" "$@")
array=${array%%;*}
wait_flag=()
if [ "${WAIT:-0}" = 1 ]; then
    wait_flag=(--wait)
fi
echo "array job $array: $n shard(s) of $experiment into $shards/" >&2
merge=$(sbatch --parsable "${wait_flag[@]}" --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    "$here/merge.sbatch" "$shards" "$out")
echo "$array ${merge%%;*}"
