#!/bin/bash
# CI's proof that the Slurm path works: a one-node Slurm cluster started by
# hand (no systemd), the load sweep submitted as a job array of shards with
# a dependent merge job (deploy/slurm/submit.sh, waited for with
# sbatch --wait), and the merged folder compared byte for byte with the
# same experiment run on one machine.
#
#   deploy/slurm/ci-check.sh STACKSIM_BINARY
#
# With CI=true it is required: Debian's slurmctld, slurmd, slurm-client and
# munge are installed if missing, and any failure fails CI. Elsewhere it is
# skipped with a message, unless SLURM_CHECK=1 (then it runs as in CI; it
# needs root). It stops exactly the daemons it started, by their PIDs, on
# every exit. Recipe and pitfalls: design notes §6 (proctrack/linuxproc,
# slurmd's late pid file, MinJobAge, sbatch --wait and purged jobs).
set -euo pipefail
binary=$(realpath "${1:?usage: $0 STACKSIM_BINARY}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
shards_n=${SHARDS:-4}

if [ "${CI:-}" != "true" ] && [ "${SLURM_CHECK:-}" != "1" ]; then
    echo "== Slurm job array check: SKIPPED (runs when CI=true, or SLURM_CHECK=1 as root)"
    exit 0
fi
echo "== Slurm job array check: the load sweep in $shards_n shards, merged, against one machine"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
    echo "   installing Debian's slurmctld slurmd slurm-client munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi

scratch=$(mktemp -d /tmp/stacksim-slurm.XXXXXX)
chmod 755 "$scratch"
started=()
cleanup() {
    local status=$?
    for pid in "${started[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${started[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    done
    if [ $status -ne 0 ]; then
        for log in "$scratch"/*.log; do
            [ -f "$log" ] && { echo "--- $log"; tail -n 20 "$log"; }
        done
    fi
    rm -rf "$scratch"
    exit $status
}
trap cleanup EXIT INT TERM

# munge: a key owned by munge, mode 0400; munged as the munge user, unless
# one already answers (then it is not ours to stop).
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    if [ ! -s /etc/munge/munge.key ]; then
        mungekey --create --keyfile=/etc/munge/munge.key
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    rm -f /run/munge/munged.pid
    runuser -u munge -- /usr/sbin/munged
    for _ in $(seq 50); do
        [ -s /run/munge/munged.pid ] && break
        sleep 0.1
    done
    started+=("$(cat /run/munge/munged.pid)")
    munge -n | unmunge >/dev/null
fi

host=$(hostname -s)
node=$(slurmd -C | head -n 1)
mkdir -p "$scratch/state" "$scratch/spool"
export SLURM_CONF="$scratch/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=stacksim-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/slurmctld.pid
SlurmdPidFile=$scratch/slurmd.pid
SlurmctldLogFile=$scratch/slurmctld.log
SlurmdLogFile=$scratch/slurmd.log
SchedulerParameters=batch_sched_delay=0
MinJobAge=5
ReturnToService=2
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
# In the foreground (-D) behind &, so their PIDs are known at once.
slurmctld -D -f "$SLURM_CONF" >"$scratch/slurmctld.out.log" 2>&1 &
started+=($!)
slurmd -D -f "$SLURM_CONF" >"$scratch/slurmd.out.log" 2>&1 &
started+=($!)
state=""
for _ in $(seq 120); do
    state=$(sinfo -h -o %T 2>/dev/null | head -n 1 || true)
    [ "$state" = "idle" ] && break
    sleep 0.5
done
if [ "$state" != "idle" ]; then
    echo "the Slurm node did not become idle (state: ${state:-none})" >&2
    exit 1
fi
echo "   one-node cluster up ($host: ${node#* }), daemons ${started[*]}"

cd "$repo"
export STACKSIM="$binary"
# The jobs' logs go to the scratch folder, not the checkout (sbatch's
# input variables override the scripts' #SBATCH --output).
export SBATCH_OUTPUT="$scratch/%x-%j.log"
"$binary" run experiments/load-sweep.toml --out "$scratch/single" --quiet
begin=$(date +%s)
WAIT=1 deploy/slurm/submit.sh "$shards_n" experiments/load-sweep.toml \
    "$scratch/shards" "$scratch/merged" --quiet >"$scratch/jobs" 2>"$scratch/submit.log"
echo "   array and merge jobs $(cat "$scratch/jobs") done in $(($(date +%s) - begin)) s"
# sbatch --wait says 0 for a job purged before it looked: check every output.
for k in $(seq 0 $((shards_n - 1))); do
    if [ ! -s "$scratch/shards/shard-$k/shard.txt" ]; then
        echo "shard $k/$shards_n wrote nothing" >&2
        exit 1
    fi
done
if [ ! -f "$scratch/merged/summary.csv" ]; then
    echo "the merge job wrote nothing" >&2
    exit 1
fi
diff -r "$scratch/single" "$scratch/merged"
files=$(find "$scratch/merged" -type f | wc -l)
echo "   Slurm job array: $shards_n shards merged = the single-machine run, byte for byte ($files files)"
