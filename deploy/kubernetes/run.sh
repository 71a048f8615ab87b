#!/bin/bash
# Runs the shards' Indexed Job, waits for it, then the merge Job:
#   deploy/kubernetes/run.sh [TIMEOUT]      (default 1h)
# Needs kubectl pointed at a cluster that can pull the image stacksim:latest
# (see the Dockerfile) and offers a ReadWriteMany volume (volume.yaml).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
timeout=${1:-1h}
kubectl apply -f "$here/volume.yaml"
kubectl delete job stacksim-shards stacksim-merge --ignore-not-found
kubectl apply -f "$here/shards-job.yaml"
kubectl wait --for=condition=complete job/stacksim-shards --timeout="$timeout"
kubectl apply -f "$here/merge-job.yaml"
kubectl wait --for=condition=complete job/stacksim-merge --timeout="$timeout"
kubectl logs job/stacksim-merge
