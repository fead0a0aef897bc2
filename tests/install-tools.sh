#!/bin/sh
# Installs the external tools the Rust tests need, skipping what is already there:
#   hledger        the differential test and the journal export test (`hledger bal`)
#   libxml2-utils  xmllint, which validates every IATI export against the 2.03 schema
# Debian packages, installed with apt-get (as root, or through sudo when not root).
set -eu

missing=""
command -v hledger >/dev/null 2>&1 || missing="$missing hledger"
command -v xmllint >/dev/null 2>&1 || missing="$missing libxml2-utils"
if [ -z "$missing" ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    echo "install-tools: need root (or sudo) to install:$missing" >&2
    exit 1
fi

echo "install-tools: installing$missing" >&2
$as_root apt-get update -qq
# shellcheck disable=SC2086 # the package list is meant to split
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
