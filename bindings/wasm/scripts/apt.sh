# Shell helpers shared by the build and test scripts (sourced, not run).
# apt_install PKG...: installs the Debian packages that are missing (as root, non-interactively),
# running `apt-get update` once first; packages already installed are skipped.

as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "root is needed to run: $*" >&2
        return 1
    fi
}

fw_apt_updated=0
apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "[apt] installing ${missing[*]}" >&2
    if [ "$fw_apt_updated" = 0 ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q
        fw_apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
        --no-install-recommends "${missing[@]}"
}
