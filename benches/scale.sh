#!/usr/bin/env bash
# End-to-end scale run of the release binary, as a user would run it: generate a directory
# (groups 5 % of users), then an initial cycle, the run that confirms its write-back, a run
# with nothing changed, and three runs each after 1,000 other users' displayName changed in
# the delta LDIF, each after a run that confirmed the exports before it (a run this small
# is within the noise of one measurement: the table shows the median of the three, and the
# line below it the ratio of each size's median to the first size's).
# Prints wall time, peak RSS and the state file's size (as `ls` shows it, and the disk
# blocks it takes) per run, and each step's duration.
#
#   benches/scale.sh                 # 100,000 users
#   benches/scale.sh 100000 1000000  # several sizes
#
# Needs /usr/bin/time (Debian: apt-get install time) and awk. Works in $SCALE_DIR (default
# /tmp/syncrules-scale), which it empties first.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(100000)
work=${SCALE_DIR:-/tmp/syncrules-scale}
cargo build --release --quiet --bin syncrules
bin=$repo/target/release/syncrules

# The DN lines (with continuations) of N user records of an LDIF after the first SKIP, as
# modify records changing displayName.
changes() {
    awk -v n="$2" -v skip="$3" 'BEGIN { RS = ""; FS = "\n" }
        done >= n { exit }
        /objectClass: user/ && /sAMAccountName/ && skipped < skip { skipped++; next }
        /objectClass: user/ && /sAMAccountName/ && done < n {
            dn = ""
            for (i = 1; i <= NF; i++) {
                if ($i ~ /^dn::? /) { dn = $i; j = i + 1
                    while (j <= NF && substr($j, 1, 1) == " ") { dn = dn "\n" $j; j++ }
                    break }
            }
            printf "\n%s\nchangetype: modify\nreplace: displayName\ndisplayName: Changed %d\n-\n", dn, done
            done++
        }' "$1"
}

row() { # label, dir, run arguments...
    local label=$1 dir=$2
    shift 2
    /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$bin" run --config "$dir/sync.yaml" "$@" \
        >"$dir/$label.txt" 2>"$dir/$label.err" || { cat "$dir/$label.err" >&2; exit 1; }
    read -r wall rss <"$dir/time.txt"
    echo "$wall $rss" >>"$dir/walls.txt"
    local state blocks
    state=$(du -sb "$dir/state" | cut -f1)
    blocks=$(du -s -B1 "$dir/state" | cut -f1)
    awk -v u="$users" -v l="$label" -v w="$wall" -v r="$rss" -v s="$state" -v b="$blocks" \
        'BEGIN { printf "| %9d | %-22s | %8.1f s | %6.0f MiB | %6.0f MiB | %6.0f MiB |\n", u, l, w, r / 1024, s / 1048576, b / 1048576 }'
}

table=""
medians=()
for users in "${sizes[@]}"; do
    dir=$work/$users
    rm -rf "$dir"
    mkdir -p "$dir"
    "$bin" gen --users "$users" --groups $((users / 20)) --out "$dir/ad.ldif" >/dev/null
    cat >"$dir/sync.yaml" <<EOF
rules: $repo/rules
state: state
connectors:
  contoso.com:
    type: ldif
    path: ad.ldif
    delta: ad-delta.ldif
  contoso.onmicrosoft.com:
    type: file
    path: entra
deletion-threshold:
  count: 500
error-limit: 5000
EOF
    table+=$(row "initial cycle" "$dir" --cycle initial)$'\n'
    table+=$(row "confirming run" "$dir")$'\n'
    table+=$(row "nothing changed" "$dir")$'\n'
    : >"$dir/walls.txt"
    for round in 0 1 2; do
        # Each measured run as the first: after a run that confirmed the last exports.
        if [ "$round" -gt 0 ]; then
            "$bin" run --config "$dir/sync.yaml" >/dev/null
        fi
        changes "$dir/ad.ldif" 1000 $((round * 1000)) >>"$dir/ad-delta.ldif"
        row "1,000 changed $round" "$dir" >/dev/null
    done
    # The median run of the three, by wall time.
    read -r wall rss < <(sort -n "$dir/walls.txt" | sed -n 2p)
    medians+=("$wall")
    table+=$(awk -v u="$users" -v w="$wall" -v r="$rss" \
        'BEGIN { printf "| %9d | %-22s | %8.2f s | %6.0f MiB |            |            |\n", u, "1,000 users changed", w, r / 1024 }')$'\n'
    echo "== $users users: steps of the first 1,000-change run" >&2
    cat "$dir/1,000 changed 0.txt" >&2
done
echo "|     users | run                    |     wall |   peak RSS |      state |    on disk |"
echo "| --------- | ---------------------- | -------- | ---------- | ---------- | ---------- |"
printf "%s" "$table"
for i in "${!sizes[@]}"; do
    awk -v u="${sizes[$i]}" -v w="${medians[$i]}" -v f="${medians[0]}" -v b="${sizes[0]}" \
        'BEGIN { if (f > 0) printf "1,000 users changed at %d users: %.2f x the run at %d users\n", u, w / f, b }'
done
