#!/usr/bin/env bash
# Export throughput of the Graph connector: USERS synthetic users (with their managers)
# exported by `syncrules run --cycle initial` to the Graph double, whose write limit is
# RATE writes a second, with the connector's writes-per-second set to the same RATE;
# once without faults and once with a share THROTTLE of requests and of $batch items
# answered 429 (Retry-After: 1). Reports the writes that succeeded, the achieved rate
# (successful writes over the span from the first write to the last) as a share of RATE,
# the objects whose export failed, and the wall time of the export step and of the whole
# `syncrules run` (imports and syncs included).
#
#   bash benches/graph.sh                       # USERS=5000 RATE=200 THROTTLE=0.1
#   USERS=1000 RATE=100 PROFILE=dev bash benches/graph.sh
set -euo pipefail
cd "$(dirname "$0")/.."

USERS=${USERS:-5000}
RATE=${RATE:-200}
THROTTLE=${THROTTLE:-0.1}
PROFILE=${PROFILE:-release}
dir=$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")

cargo build --quiet --profile "$PROFILE" -p syncrules -p syncrules-graph-double
bin=target/$dir
work=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
    if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT

"$bin/syncrules" gen --users "$USERS" --groups 0 --seed 1 --out "$work/ad.ldif" >/dev/null
echo "users: $USERS, write limit: $RATE/s (double and connector), profile: $PROFILE"
for case in no-faults "429s-$THROTTLE"; do
    args=(--port 0 --write-limit "$RATE" --verbose)
    if [ "$case" != no-faults ]; then args+=(--throttle "$THROTTLE"); fi
    "$bin/graph-double" "${args[@]}" >"$work/url" 2>"$work/$case.log" &
    pid=$!
    for _ in $(seq 100); do grep -q listening "$work/url" && break; sleep 0.1; done
    url=$(sed -n 's/.*listening on //p' "$work/url")
    mkdir -p "$work/$case"
    cat >"$work/$case/sync.yaml" <<YAML
rules: $PWD/rules
state: state
connectors:
  contoso.com:
    type: ldif
    path: $work/ad.ldif
  contoso.onmicrosoft.com:
    type: graph
    tenant: contoso.onmicrosoft.com
    client-id: 11111111-2222-3333-4444-555555555555
    secret-env: GRAPH_BENCH_SECRET
    token-url: $url
    graph-url: $url
    writes-per-second: $RATE
YAML
    start=$(date +%s.%N)
    GRAPH_BENCH_SECRET=double-secret "$bin/syncrules" run --config "$work/$case/sync.yaml" \
        --cycle initial --format json >"$work/$case.json" || true
    wall=$(python3 -c "print($(date +%s.%N) - $start)")
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
    python3 - "$case" "$RATE" "$work/$case.log" "$work/$case.json" "$wall" <<'PY'
import json, re, sys
case, rate, log, report, wall = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
line = re.compile(r"^\s*([\d.]+) (POST|PATCH|PUT|DELETE) (\S+) -> (\d+)")
ok, throttled, times = 0, 0, []
for l in open(log):
    m = line.match(l)
    if not m or "/oauth2/" in m[3] or m[3].endswith("/$batch"):
        continue
    status = int(m[4])
    if 200 <= status < 300:
        ok += 1
        times.append(float(m[1]))
    elif status == 429:
        throttled += 1
steps = json.load(open(report)).get("steps", [])
export = next(s for s in steps if s["step"] == "export" and s["connector"] == "contoso.onmicrosoft.com")
span = max(times) - min(times) if len(times) > 1 else float("nan")
achieved = ok / span if span else float("nan")
print(f"{case:>12}: {ok} writes in {span:.1f} s = {achieved:.1f}/s = {100 * achieved / rate:.1f} % of {rate:g}/s; "
      f"429 answers {throttled}; objects exported {export['adds']}, failed {len(export['errors'])}, export step {export['seconds']:.1f} s, "
      f"whole run {wall:.1f} s")
PY
done
