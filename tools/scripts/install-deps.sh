#!/usr/bin/env bash
# Installs every Debian 12 package voxmon needs to build and test (run as root, or with sudo).
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
packages=(build-essential cmake pkg-config ccache
          libcaf-dev libpcap-dev libsqlite3-dev nlohmann-json3-dev zlib1g-dev
          libboost-dev libboost-program-options-dev catch2 sqlite3 time clang
          libssl-dev openssl libsnappy-dev robin-map-dev
          libjemalloc-dev  # the voxmon binary's allocator
          libmysqlcppconn-dev mariadb-server mariadb-client  # the MySQL store and its test server
          tshark  # the tests open the spool's pcaps with it and compare with its view
          chromium chromium-driver python3-selenium)  # the last three: the web GUI's browser test
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y "${missing[@]}"
fi
