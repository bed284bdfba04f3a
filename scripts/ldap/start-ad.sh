#!/usr/bin/env bash
# start-ad.sh - a Samba Active Directory DC on loopback for the LDAP integration tests.
# Needs root (Samba's LDAP ports 389/636/3268/3269 are fixed, so one DC per host) and the
# packages `.ci/run` installs. Idempotent: under a lock, a DC already answering from $AD_DIR
# is reused; otherwise $AD_DIR is provisioned anew (about 5 s). TLS uses a test CA and a
# server certificate for 127.0.0.1 and localhost (subjectAltName), so clients can verify it.
# Prints KEY=VALUE lines (also in $AD_DIR/ad.env). Stop with: kill "$(cat "$AD_DIR/run/samba.pid")"
set -euo pipefail

AD_DIR=${AD_DIR:-/tmp/syncrules-ad}
AD_REALM=${AD_REALM:-TEST.LOCAL}
AD_DOMAIN=${AD_DOMAIN:-TEST}
AD_ADMIN_PASS=${AD_ADMIN_PASS:-'Passw0rd!Passw0rd'}   # must satisfy AD complexity rules
AD_HOSTNAME=${AD_HOSTNAME:-dc1}                      # <=15 chars, must differ from AD_DOMAIN
AD_TIMEOUT=${AD_TIMEOUT:-60}
base_dn=$(echo "$AD_REALM" | tr '[:upper:]' '[:lower:]' | sed -e 's/^/DC=/' -e 's/\./,DC=/g')

for tool in samba samba-tool ldapsearch openssl; do
  command -v "$tool" >/dev/null || { echo "start-ad.sh: \`$tool\` is not installed (see .ci/run)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "start-ad.sh: Samba AD needs root (ports 389/636)" >&2; exit 1; }

exec 9>"$AD_DIR.lock"
flock 9

answers() {
  ldapsearch -LLL -x -H ldap://127.0.0.1:389 -D "Administrator@$AD_REALM" -w "$AD_ADMIN_PASS" \
    -b "$base_dn" -s base dn >/dev/null 2>&1
}

if [ -f "$AD_DIR/ad.env" ] && [ -f "$AD_DIR/run/samba.pid" ] \
   && kill -0 "$(cat "$AD_DIR/run/samba.pid")" 2>/dev/null && answers; then
  cat "$AD_DIR/ad.env"
  exit 0
fi
if [ -f "$AD_DIR/run/samba.pid" ]; then kill "$(cat "$AD_DIR/run/samba.pid")" 2>/dev/null || true; sleep 0.5; fi
rm -rf "$AD_DIR"
mkdir -p "$AD_DIR"

samba-tool domain provision \
  --realm="$AD_REALM" --domain="$AD_DOMAIN" --host-name="$AD_HOSTNAME" \
  --server-role=dc --dns-backend=NONE --use-rfc2307 --backend-store=mdb \
  --adminpass="$AD_ADMIN_PASS" --targetdir="$AD_DIR" \
  --option="interfaces=lo" --option="bind interfaces only=yes" \
  >"$AD_DIR/provision.log" 2>&1 || { cat "$AD_DIR/provision.log" >&2; exit 1; }

# A test CA and a server certificate Samba presents on 636 and after StartTLS.
tls="$AD_DIR/tls"
mkdir -p "$tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=syncrules test CA" \
  -keyout "$tls/ca.key" -out "$tls/ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$tls/key.pem" \
  -out "$tls/server.csr" >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' >"$tls/ext.cnf"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
  -days 3650 -extfile "$tls/ext.cnf" -out "$tls/cert.pem" >/dev/null 2>&1
chmod 0600 "$tls/key.pem" "$tls/ca.key"

# Minimal services (LDAP only), simple binds without TLS allowed, pid/log files inside AD_DIR.
mkdir -p "$AD_DIR/run" "$AD_DIR/log"
conf="$AD_DIR/etc/smb.conf"
sed -i -e '/^[[:space:]]*server services[[:space:]]*=/d' -e '/^[[:space:]]*log file[[:space:]]*=/d' "$conf"
sed -i "/^\[global\]/a\\
\tserver services = ldap\\
\tldap server require strong auth = no\\
\tpid directory = $AD_DIR/run\\
\tlog file = $AD_DIR/log/log.%m\\
\ttls enabled = yes\\
\ttls cafile = $tls/ca.pem\\
\ttls certfile = $tls/cert.pem\\
\ttls keyfile = $tls/key.pem" "$conf"

samba -D -M single -s "$conf" 9>&-   # the daemon must not inherit the lock

deadline=$((SECONDS + AD_TIMEOUT))
until answers; do
  if [ $SECONDS -ge $deadline ]; then
    echo "Samba AD did not answer on 127.0.0.1:389 within ${AD_TIMEOUT}s" >&2
    tail -n 50 "$AD_DIR"/log/log.* >&2 2>/dev/null || true
    exit 1
  fi
  sleep 0.2
done

{
  echo "AD_DIR=$AD_DIR"
  echo "AD_PID=$(cat "$AD_DIR/run/samba.pid")"
  echo "AD_LDAP_URL=ldap://127.0.0.1:389"
  echo "AD_LDAPS_URL=ldaps://127.0.0.1:636"
  echo "AD_BASE_DN=$base_dn"
  echo "AD_BIND_DN=CN=Administrator,CN=Users,$base_dn"
  echo "AD_BIND_UPN=Administrator@$AD_REALM"
  echo "AD_BIND_PASSWORD=$AD_ADMIN_PASS"
  echo "AD_CA_CERT=$tls/ca.pem"
} >"$AD_DIR/ad.env.tmp"
mv "$AD_DIR/ad.env.tmp" "$AD_DIR/ad.env"
cat "$AD_DIR/ad.env"
