#!/bin/sh
# Runs in the nginx image's entrypoint after the templates are rendered: turns
# the TLS server (and the HTTP -> HTTPS redirect) on when a certificate and key
# are mounted, off otherwise. Set ATRIUM_HTTPS_REDIRECT=false to keep serving
# plain HTTP alongside HTTPS. tests/deploy/nginx.test.ts runs this script too.
set -eu
conf_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}/atrium"
certs_dir="${ATRIUM_CERTS_DIR:-/etc/nginx/certs}"
enabled="$conf_dir/enabled"

mkdir -p "$enabled"
rm -f "$enabled/https-server.conf" "$enabled/http-redirect.conf"
if [ -s "$certs_dir/fullchain.pem" ] && [ -s "$certs_dir/privkey.pem" ]; then
  ln -s ../https.conf "$enabled/https-server.conf"
  if [ "${ATRIUM_HTTPS_REDIRECT:-true}" != "false" ]; then
    ln -s ../http-redirect.conf "$enabled/http-redirect.conf"
  fi
  echo "$0: TLS on with the certificate in $certs_dir"
else
  echo "$0: TLS off (no fullchain.pem and privkey.pem in $certs_dir)"
fi
