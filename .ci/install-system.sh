#!/usr/bin/env bash
# Installs the Debian packages the tests need and builds pgvector for the local
# PostgreSQL (bookworm has no pgvector package; trixie's source builds cleanly).
# Idempotent: each step is skipped when its result is already there.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
apt_updated=0
apt_update_once() { [ "$apt_updated" = 1 ] || { apt-get update -qq; apt_updated=1; }; }

# postgresql-client: pg_dump/pg_restore for backups; gettext-base: envsubst, which
# renders nginx/templates as the nginx image does; openssl: a test certificate;
# redis-server: the scale-out tests (tests/scaleout); iproute2: `ip netns`, veth
# pairs, a bridge and `ss` for the multi-host test (tests/scaleout/multiHost.test.ts).
need_pkgs=()
for pkg in postgresql-server-dev-15 postgresql-client chromium nginx gettext-base openssl redis-server iproute2; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_pkgs+=("$pkg")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  apt_update_once
  apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

pg_major=$(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
if [ ! -f "/usr/share/postgresql/$pg_major/extension/vector.control" ]; then
  src_list=/etc/apt/sources.list.d/atrium-trixie-src.sources
  cat > "$src_list" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  trap 'rm -f "$src_list"' EXIT
  apt-get update -qq
  build=$(mktemp -d)
  (cd "$build" && apt-get source --download-only pgvector >/dev/null \
    && tar xf pgvector_*.orig.tar.* && cd pgvector-*/ \
    && make -s >/dev/null && make -s install >/dev/null)
  rm -rf "$build" "$src_list"
  apt-get update -qq
fi

# Start the cluster if it is not running (machines of this kind start it, CI may not).
if ! pg_isready -h 127.0.0.1 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$pg_major" main start
fi

# Redis for the scale-out tests, as on the project's machines: loopback only, no persistence.
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no >/dev/null
fi
