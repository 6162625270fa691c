#!/usr/bin/env bash
# Installs the Debian packages a task needs, only when they are missing.
#   ensure-system-deps.sh          what the test suite needs
#   ensure-system-deps.sh bench    what `npm run bench` compares against and loads with
# Runs `apt-get update` at most once per invocation.
set -euo pipefail

declare -A needed
case "${1:-test}" in
  test)
    needed=(
      [redis-server]=redis-server
      [/usr/sbin/nats-server]=nats-server
      [/usr/sbin/mosquitto]=mosquitto
      [openssl]=openssl
      [chromium]=chromium
      [pebble]=pebble
    )
    ;;
  bench)
    needed=(
      [wrk]=wrk
      [hey]=hey
      [curl]=curl
      [nginx]=nginx
      [caddy]=caddy
      [ssh]=openssh-client
      [/usr/sbin/sshd]=openssh-server
    )
    ;;
  *)
    echo "usage: $0 [test|bench]" >&2
    exit 2
    ;;
esac

missing=()
for cmd in "${!needed[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || [ -x "$cmd" ] || missing+=("${needed[$cmd]}")
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

echo "gatehouse: installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
