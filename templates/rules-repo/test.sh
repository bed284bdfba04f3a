#!/bin/sh
# Runs the template's CI steps locally: a temporary rules repository made of this template,
# the project's default rules and the sample's directory data, with two commits (the base,
# then a rule change); ci/syncrules-ci.sh against the first commit must pass and write a
# markdown comment naming the change; a commit of a badly formatted rule file must fail it.
#
# usage: templates/rules-repo/test.sh PATH/TO/syncrules   (run by tests/template.rs)
set -eu
bin=${1:?usage: test.sh PATH/TO/syncrules}
here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "template test: $*" >&2; exit 1; }

repo=$tmp/rules-repo
mkdir -p "$repo/data"
cp -R "$here/." "$repo/"
rm "$repo/test.sh"
cp -R "$project/rules" "$repo/rules"
cp "$project/examples/contoso/contoso.ldif" "$repo/data/ad.ldif"
cd "$repo"
grep -q 'sh ci/syncrules-ci.sh "origin/${{ github.base_ref }}" impact.md' .github/workflows/syncrules.yml ||
    fail "the workflow does not run ci/syncrules-ci.sh"
git() { command git -c user.name=test -c user.email=test@example.com -c commit.gpgsign=false "$@"; }
git init -q
git add -A
git commit -q -m "base rules"
base=$(git rev-parse HEAD)

# A rule change: departments in capitals.
sed 's/expression: Trim(\[department\])/expression: UCase(Trim([department]))/' \
    rules/contoso.com/inbound/user-common.yaml >user-common.yaml
mv user-common.yaml rules/contoso.com/inbound/user-common.yaml
git commit -q -am "departments in capitals"

SYNCRULES=$bin sh ci/syncrules-ci.sh "$base" impact.md || fail "the CI steps failed on a good change"
grep -q '| connector | added | removed | changed |' impact.md || fail "no counts table in impact.md"
grep -q '`department` on ' impact.md || fail "impact.md does not name the changed attribute"
grep -q 'Out to Entra - User Profile' impact.md || fail "impact.md does not name the rule"
[ -z "$(git status --porcelain)" ] || fail "the CI steps left changes: $(git status --porcelain)"

# A badly formatted rule file fails the first step, and no comment is written.
rm impact.md
sed 's/^precedence: 104/precedence:    104/' rules/contoso.com/inbound/user-common.yaml >user-common.yaml
mv user-common.yaml rules/contoso.com/inbound/user-common.yaml
git commit -q -am "badly formatted"
if SYNCRULES=$bin sh ci/syncrules-ci.sh "$base" impact.md 2>/dev/null; then
    fail "the CI steps passed a badly formatted rule file"
fi
[ ! -e impact.md ] || fail "impact.md written although a check failed"
echo "template test: ok"
