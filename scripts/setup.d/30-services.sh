#!/usr/bin/env bash
# PostgreSQL and RabbitMQ for the distributed-mode tests and the throughput benchmark (test mode
# only; `npm start` runs embedded and needs neither). Makes sure both answer on 127.0.0.1:
# installed if missing (Debian packages), started if down, then waited for. PostgreSQL must
# accept the role `postgres` without a password from 127.0.0.1 and have a database `test`;
# RabbitMQ must accept guest/guest from localhost (its default). Idempotent and quick when up.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ "${CODEBOX_SETUP_MODE:-start}" = "test" ] || exit 0

accepts() { # $1 = port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
wait_for() { # $1 = name, $2 = port
  for _ in $(seq 1 600); do accepts "$2" && return 0; sleep 0.1; done
  say "$1 did not start listening on 127.0.0.1:$2 within a minute"
  return 1
}

# --- PostgreSQL -------------------------------------------------------------------------------
if ! accepts 5432; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$version" ]; then say "PostgreSQL is installed but has no cluster in /etc/postgresql"; exit 1; fi
  conf="/etc/postgresql/$version/main"
  # Trust local TCP connections (a test machine): what the tests' URL postgres://postgres@127.0.0.1/test expects.
  if ! grep -q "codebox-test" "$conf/pg_hba.conf"; then
    sed -i '1i host all all 127.0.0.1/32 trust # codebox-test\nhost all all ::1/128 trust # codebox-test' "$conf/pg_hba.conf"
  fi
  say "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  wait_for PostgreSQL 5432
fi
if command -v psql >/dev/null && ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" 2>/dev/null | grep -q 1; then
  say "creating the PostgreSQL database test"
  psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE test" >&2
fi

# --- RabbitMQ ---------------------------------------------------------------------------------
if ! accepts 5672; then
  command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server
  say "starting RabbitMQ"
  # An Erlang node left half-running after a crash answers nothing on 5672: stop it first.
  rabbitmqctl shutdown >/dev/null 2>&1 || true
  rabbitmq-server -detached >&2
  wait_for RabbitMQ 5672
fi
