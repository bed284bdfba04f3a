#!/bin/sh
# The checks of a rules repository, as its CI runs them (.github/workflows/syncrules.yml) and
# as test.sh runs them locally:
#   1. the rule files are in canonical form (`syncrules fmt --check`);
#   2. the rule set compiles with no error and no warning (`syncrules check --deny-warnings`);
#   3. what the change would do to the directory: `syncrules impact` of the rules against
#      their version at BASE (a git revision, e.g. origin/main), written as markdown to OUT
#      for the pull request's comment.
#
# usage: ci/syncrules-ci.sh BASE [OUT]
# environment: SYNCRULES (the binary, default `syncrules`), SYNCRULES_CONFIG (default
# sync.yaml), SYNCRULES_RULES (the rules folder, default rules).
set -eu
base=${1:?usage: ci/syncrules-ci.sh BASE [OUT]}
out=${2:-impact.md}
syncrules=${SYNCRULES:-syncrules}
config=${SYNCRULES_CONFIG:-sync.yaml}
rules=${SYNCRULES_RULES:-rules}

"$syncrules" fmt --check "$rules"
"$syncrules" check --deny-warnings "$rules"
"$syncrules" impact --config "$config" --base "$base:$rules" --rules "$rules" --format markdown >"$out.tmp"
mv "$out.tmp" "$out"
echo "impact of the change against $base written to $out"
