#!/usr/bin/env bash
# Make sure the given Debian packages are installed.
#
#   scripts/ensure-debian-packages.sh PKG...
#
# Installs whatever is missing when run as root. Otherwise it does not reach
# for sudo on its own (a build silently asking for a password is worse than a
# clear instruction): it names the missing packages, prints the command to run,
# and exits 1. With no missing packages it is silent and exits 0, so Makefile
# targets can call it every time.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "ensure-debian-packages: dpkg not found; this helper only knows Debian/Ubuntu." >&2
    echo "Install these packages with your system's package manager: $*" >&2
    exit 1
fi

missing=()
for pkg in "$@"; do
    # `dpkg -s` also succeeds for packages that were removed but not purged
    # ("deinstall ... config-files"), so check the status line says installed.
    if ! dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed$'; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

install_cmd=(apt-get install -y --no-install-recommends "${missing[@]}")

if [[ $(id -u) -ne 0 ]]; then
    {
        echo "Missing Debian packages: ${missing[*]}"
        echo "Install them (as root) with:"
        echo "    sudo apt-get update && sudo env DEBIAN_FRONTEND=noninteractive ${install_cmd[*]}"
    } >&2
    exit 1
fi

echo "Installing missing Debian packages: ${missing[*]}"
apt-get update
DEBIAN_FRONTEND=noninteractive "${install_cmd[@]}"
