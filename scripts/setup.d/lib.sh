# Helpers for the scripts in setup.d (sourced, not run).
say() { printf '[setup] %s\n' "$*" >&2; }

# apt_install PKG...: installs the Debian packages that are missing, once; without root, says how.
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages: ${missing[*]}"
    say "run as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    return 1
  fi
  say "installing ${missing[*]}"
  if [ ! -f /var/lib/apt/periodic/codebox-updated ] || ! apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
    mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/codebox-updated
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}
