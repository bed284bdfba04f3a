#!/usr/bin/env bash
# Import from a real Active Directory (the Samba AD DC of the tests, on loopback), as a user
# runs it with the release binary and the default rules, to the file target:
#
#   1. seeds N users (default 10,000) and N/50 groups of 50 members into a fresh OU;
#   2. `run --cycle initial` (full import of the OU by paged search, sync, exports, the
#      mS-DS-ConsistencyGuid write-back to AD);
#   3. `run` (DirSync delta: the write-back confirmed);
#   4. 100 users' displayName changed in AD, then `run` (DirSync delta of 100 changes).
#
# Prints, per run, the wall time and peak RSS of the process and each import step's
# seconds and objects per second (from the run's JSON report).
#
#   benches/ldap.sh          # 10,000 users
#   benches/ldap.sh 2000
#
# Needs root (Samba's fixed ports), the packages scripts/test-deps.sh installs, python3 and
# /usr/bin/time. Works in $LDAP_BENCH_DIR (default /tmp/syncrules-ldap-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
n=${1:-10000}
bash scripts/test-deps.sh
eval "$(bash scripts/ldap/start-ad.sh)"
cargo build --release --quiet --bin syncrules
bin=$repo/target/release/syncrules
work=${LDAP_BENCH_DIR:-/tmp/syncrules-ldap-bench}
rm -rf "$work"
mkdir -p "$work"
cd "$work"

tag=$(date +%s)
ou="OU=bench-$tag,$AD_BASE_DN"
ldap() { "$1" -x -H "$AD_LDAP_URL" -D "$AD_BIND_DN" -y "$work/pw" -c "${@:2}" >/dev/null; }
printf '%s' "$AD_BIND_PASSWORD" >pw
chmod 600 pw

echo "== seeding $n users and $((n / 50)) groups into $ou"
{
    printf 'dn: %s\nobjectClass: organizationalUnit\n\n' "$ou"
    for i in $(seq 1 "$n"); do
        printf 'dn: CN=User %d,%s\nobjectClass: user\nsAMAccountName: b%d-%d\n' "$i" "$ou" "$tag" "$i"
        printf 'userPrincipalName: b%d.%d@test.local\ngivenName: Given%d\nsn: Sur%d\n' "$tag" "$i" "$i" "$i"
        printf 'displayName: User %d\nmail: b%d.%d@test.local\ndepartment: Dept %d\n\n' "$i" "$tag" "$i" $((i % 20))
    done
    for g in $(seq 1 $((n / 50))); do
        printf 'dn: CN=Group %d,%s\nobjectClass: group\nsAMAccountName: g%d-%d\n' "$g" "$ou" "$tag" "$g"
        for m in $(seq $(((g - 1) * 50 + 1)) $((g * 50))); do
            printf 'member: CN=User %d,%s\n' "$m" "$ou"
        done
        printf '\n'
    done
} >seed.ldif
start=$SECONDS
ldap ldapadd -f seed.ldif
echo "seeded in $((SECONDS - start)) s"

cat >sync.yaml <<EOF
rules: $repo/rules
state: state
connectors:
  contoso.com:
    type: ldap
    url: $AD_LDAP_URL
    bind-dn: $AD_BIND_DN
    password-env: AD_BIND_PASSWORD
    base: $AD_BASE_DN
    page-size: 1000
    containers:
      include:
        - $ou
  contoso.onmicrosoft.com:
    type: file
    path: entra
deletion-threshold:
  count: 100000
  percent: 100
EOF
export AD_BIND_PASSWORD

# One run: wall time, peak RSS, and the import steps' rates.
measure() {
    local name=$1
    shift
    /usr/bin/time -f "%e %M" -o time.txt "$bin" run --config sync.yaml --format json "$@" >"$name.json"
    read -r wall rss <time.txt
    python3 - "$name" "$wall" "$rss" "$name.json" <<'PY'
import json, sys
name, wall, rss, path = sys.argv[1:]
report = json.load(open(path))
print(f"{name}: {float(wall):.1f} s wall, {int(rss) // 1024} MB peak RSS")
for s in report["steps"]:
    if s["step"].endswith("import"):
        n = s.get("adds", 0) + s.get("updates", 0) + s.get("deletes", 0) + s.get("renames", 0)
        seen = s.get("objects", n)
        rate = f", {seen / s['seconds']:.0f} objects/s" if s["seconds"] > 0 and seen else ""
        print(f"  {s['connector']} {s['step']}: {s['seconds']:.2f} s, {seen} objects{rate}")
PY
}

measure initial --cycle initial
measure confirm

echo "== changing 100 users' displayName"
for i in $(seq 1 100); do
    printf 'dn: CN=User %d,%s\nchangetype: modify\nreplace: displayName\ndisplayName: Changed %d\n-\n\n' "$i" "$ou" "$i"
done >changes.ldif
ldap ldapmodify -f changes.ldif
measure delta
