#!/bin/sh
# Runs every bundled experiment with two stacksim binaries and compares
# their CSV outputs byte for byte (an engine change must not change results).
# Usage: scripts/same-output.sh OLD NEW [THREADS]
#   OLD, NEW: a stacksim binary, or a folder of outputs saved earlier
#   (one subfolder per experiment); with SAVE=DIR the NEW outputs are kept there.
# Prints one line per experiment and exits 1 if any CSV differs.
set -eu
old=$1 new=$2 threads=${3:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
outputs() { # BINARY_OR_FOLDER SIDE EXPERIMENT_FILE -> prints the folder
    name=$(basename "$3" .toml)
    if [ -d "$1" ]; then echo "$1/$name"; return; fi
    "$1" run "$3" --out "$tmp/$2/$name" --threads "$threads" >/dev/null
    echo "$tmp/$2/$name"
}
status=0
for exp in experiments/*.toml; do
    name=$(basename "$exp" .toml)
    a=$(outputs "$old" old "$exp")
    b=$(outputs "$new" new "$exp")
    if diff -r "$a" "$b" >/dev/null; then
        echo "same      $name ($(ls "$b" | wc -l) files)"
    else
        echo "DIFFERENT $name"; diff -rq "$a" "$b" || true
        status=1
    fi
    if [ -n "${SAVE:-}" ]; then mkdir -p "$SAVE"; rm -rf "${SAVE:?}/$name"; cp -r "$b" "$SAVE/$name"; fi
done
exit $status
