#!/usr/bin/env bash
# Compares two stacksim binaries on every bundled input: `run` of each
# experiment (every output file compared with cmp) and `check` of each model
# and experiment (stdout, stderr and exit code). For refactors that must not
# change behaviour. Usage, from the repository root:
#   docs/compare-outputs.sh OLD_BINARY NEW_BINARY [WORK_DIR]
# The old binary's outputs are kept in WORK_DIR/old and reused when present.
set -uo pipefail
old=$1 new=$2 work=${3:-$(mktemp -d)}
produce() { # binary, folder
    local bin=$1 dir=$2 f
    mkdir -p "$dir"
    for f in experiments/*.toml; do
        "$bin" run "$f" --out "$dir/run-$(basename "$f" .toml)" >/dev/null 2>&1
        echo $? >"$dir/run-$(basename "$f" .toml).rc"
    done
    for f in models/*.toml experiments/*.toml; do
        local k="check-$(basename "$(dirname "$f")")-$(basename "$f" .toml)"
        "$bin" check "$f" >"$dir/$k.out" 2>"$dir/$k.err"
        echo $? >"$dir/$k.rc"
    done
}
[ -d "$work/old" ] || produce "$old" "$work/old"
rm -rf "$work/new"
produce "$new" "$work/new"
same=0 differ=0
while IFS= read -r rel; do
    if cmp -s "$work/old/$rel" "$work/new/$rel"; then
        same=$((same + 1))
    else
        differ=$((differ + 1)); echo "DIFFERS: $rel"
    fi
done < <( (cd "$work/old" && find . -type f; cd "$work/new" && find . -type f) | sort -u)
echo "$same files identical, $differ differ (outputs in $work)"
[ "$differ" -eq 0 ]
