#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only when they are missing.
# Runs `apt-get update` at most once per invocation.
set -euo pipefail

declare -A needed=(
  [redis-server]=redis-server
  [openssl]=openssl
  [chromium]=chromium
)

missing=()
for cmd in "${!needed[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${needed[$cmd]}")
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
