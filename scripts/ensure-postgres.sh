#!/usr/bin/env bash
# Print a PostgreSQL admin URL for the tests: the server on 127.0.0.1:5432 when one answers,
# else a throwaway cluster started here (on port 55432, data under /tmp, fsync off).
set -euo pipefail
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if answers 5432; then
  echo "postgresql://postgres@127.0.0.1:5432/postgres"
  exit 0
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  else
    echo "no PostgreSQL server answers and none is installed" >&2
    exit 1
  fi
fi
port=55432
if answers $port; then
  echo "postgresql://postgres@127.0.0.1:$port/postgres"
  exit 0
fi
data=/tmp/keepword-pg-$port
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then id postgres >/dev/null 2>&1 || useradd -r -m postgres; fi
rm -rf "$data"; mkdir -p "$data"
[ "$(id -u)" = 0 ] && chown postgres "$data"
run "$bindir/initdb" -D "$data" -U postgres -A trust >/dev/null
run "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w \
  -o "-p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -k $data" start >/dev/null
echo "postgresql://postgres@127.0.0.1:$port/postgres"
