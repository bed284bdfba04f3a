#!/usr/bin/env bash
# Installs what the tests need beyond cargo, from Debian's packages, when missing: the LDAP
# tests run against a real Samba AD DC and OpenLDAP slapd on loopback (the tests start the
# servers themselves, see scripts/ldap/). Quick when everything is present. Needs root
# (or sudo) only when something is missing.
set -euo pipefail
pkgs="slapd ldap-utils samba samba-dsdb-modules samba-vfs-modules samba-ad-provision openssl"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "== apt-get install$missing"
export DEBIAN_FRONTEND=noninteractive
echo 'slapd slapd/no_configuration boolean true' | $sudo debconf-set-selections
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
