#!/usr/bin/env bash
# A throwaway MariaDB for tests and development, without systemd.
#   mariadb.sh start DIR PORT   initialises DIR (datadir, socket, log), starts mariadbd on
#                               127.0.0.1:PORT, creates user voxmon/voxmon and database
#                               voxmon_test, and prints the connection URL on stdout.
#   mariadb.sh stop DIR         stops the server started in DIR (by its PID) and waits.
# Runs as root (mariadbd then runs as user mysql) or as an ordinary user.
set -euo pipefail
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pidfile="$dir/mariadbd.pid"
user_opt=()
if [ "$(id -u)" -eq 0 ]; then user_opt=(--user=mysql); fi

case "$cmd" in
start)
  port=${3:-}
  [ -n "$port" ] || { echo "usage: $0 start DIR PORT" >&2; exit 2; }
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "mariadb.sh: a server is already running in $dir (pid $(cat "$pidfile"))" >&2; exit 1
  fi
  # A temporary directory of its own: a starting mariadbd deletes every #sql* file in its tmpdir,
  # which with the default /tmp removed the temporary tables of another server's
  # mariadb-install-db running at the same time (ctest -j: "Unknown table 'mysql.tmp_user_sys'").
  mkdir -p "$dir/tmp"
  if [ ! -d "$dir/data/mysql" ]; then
    mkdir -p "$dir/data"
    [ "$(id -u)" -eq 0 ] && chown -R mysql:mysql "$dir"
    mariadb-install-db --no-defaults "${user_opt[@]}" --datadir="$dir/data" --tmpdir="$dir/tmp" \
      --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 ||
      { echo "mariadb.sh: mariadb-install-db failed, see $dir/install.log" >&2
        rm -rf "$dir/data"  # half-made system tables: the next start installs afresh
        exit 1; }
  fi
  [ "$(id -u)" -eq 0 ] && chown -R mysql:mysql "$dir"
  echo "$port" >"$dir/port"
  mariadbd --no-defaults "${user_opt[@]}" --datadir="$dir/data" --tmpdir="$dir/tmp" --port="$port" \
    --bind-address=127.0.0.1 --socket="$dir/mysql.sock" --pid-file="$pidfile" \
    --log-error="$dir/error.log" --skip-name-resolve --innodb-flush-log-at-trx-commit=2 \
    >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 300); do
    if mariadb --no-defaults -uroot --socket="$dir/mysql.sock" -e 'SELECT 1' >/dev/null 2>&1; then
      break
    fi
    kill -0 "$server" 2>/dev/null || {
      echo "mariadb.sh: mariadbd exited, see $dir/error.log; its last lines:" >&2
      tail -n 15 "$dir/error.log" >&2 2>/dev/null || true
      exit 1
    }
    sleep 0.1
  done
  mariadb --no-defaults -uroot --socket="$dir/mysql.sock" -e "
    CREATE DATABASE IF NOT EXISTS voxmon_test;
    CREATE USER IF NOT EXISTS 'voxmon'@'127.0.0.1' IDENTIFIED BY 'voxmon';
    CREATE USER IF NOT EXISTS 'voxmon'@'localhost' IDENTIFIED BY 'voxmon';
    GRANT ALL ON *.* TO 'voxmon'@'127.0.0.1';
    GRANT ALL ON *.* TO 'voxmon'@'localhost';" ||
    { echo "mariadb.sh: server did not accept connections, see $dir/error.log" >&2; exit 1; }
  echo "mysql://voxmon:voxmon@127.0.0.1:$port/voxmon_test"
  ;;
stop)
  [ -f "$pidfile" ] || exit 0
  pid=$(cat "$pidfile")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
  ;;
*) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
