#!/usr/bin/env bash
# Makes the certificate the nodes of one cluster share for mutual TLS on Akka.Remote (akka.jobs.node.tls): a node
# trusts a peer that presents this same certificate and proves it holds its key; nothing else gets in.
#
#   scripts/make-certs.sh [--uid UID] [--force] [OUT_DIR]      (OUT_DIR default: docker/certs)
#
# Writes in OUT_DIR (made 0700):
#   node.pfx           certificate + private key (PKCS#12)   -> AKKA_JOBS_TLS_CERTIFICATE
#   node.pfx.password  its random password                  -> AKKA_JOBS_TLS_PASSWORD_FILE
#   node.crt           the certificate alone (fingerprint: openssl x509 -in node.crt -noout -fingerprint -sha256)
# The secrets are 0600. --uid gives them to the user the node runs as (the image's "app" user is 1654): as root they are
# chown'ed, otherwise they are made readable by everyone on this machine instead (say so loudly). Existing files are
# kept unless --force. Needs openssl.
set -euo pipefail

uid="" force=0 out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --uid) uid=${2:?--uid needs a number}; shift 2 ;;
    --force) force=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "make-certs.sh: unknown option $1" >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done
out=${out:-"$(cd "$(dirname "$0")/.." && pwd)/docker/certs"}
command -v openssl >/dev/null || { echo "make-certs.sh: openssl is not installed" >&2; exit 1; }

if [ -e "$out/node.pfx" ] && [ "$force" -eq 0 ]; then
  echo "make-certs.sh: $out/node.pfx exists; keeping it (--force makes a new one, and every node then needs it)" >&2
  exit 0
fi
umask 077
mkdir -p "$out"
chmod 700 "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

openssl rand -hex 24 >"$tmp/node.pfx.password"
# CA:FALSE and both usages: the same certificate serves a node as TLS server (inbound) and client (outbound).
openssl req -x509 -newkey rsa:3072 -noenc -keyout "$tmp/key.pem" -out "$tmp/node.crt" -days 825 \
  -subj "/CN=akka-jobs-cluster" \
  -addext "basicConstraints=critical,CA:FALSE" \
  -addext "keyUsage=critical,digitalSignature,keyEncipherment" \
  -addext "extendedKeyUsage=serverAuth,clientAuth" 2>/dev/null
openssl pkcs12 -export -inkey "$tmp/key.pem" -in "$tmp/node.crt" -out "$tmp/node.pfx" -passout "file:$tmp/node.pfx.password"
mv "$tmp/node.pfx" "$tmp/node.pfx.password" "$tmp/node.crt" "$out/"
chmod 600 "$out/node.pfx" "$out/node.pfx.password"
chmod 644 "$out/node.crt"

if [ -n "$uid" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    chown "$uid" "$out" "$out/node.pfx" "$out/node.pfx.password" "$out/node.crt"
  else
    # Not root: the node's user cannot be given the files, so everyone on this machine may read them.
    chmod 755 "$out"
    chmod 644 "$out/node.pfx" "$out/node.pfx.password"
    echo "make-certs.sh: WARNING: not root, so $out/node.pfx and its password are readable by every user of this machine" >&2
  fi
fi
echo "make-certs.sh: wrote $out/node.pfx, node.pfx.password and node.crt ($(openssl x509 -in "$out/node.crt" -noout -fingerprint -sha256))"
