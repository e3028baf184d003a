#!/usr/bin/env bash
# Installs the real FTP peers and client tools the interop tests talk to,
# and redis-server and haproxy for the fleet tests (issue 15).
#
# - vsftpd and the client tools come from apt (Debian 12).
# - pure-ftpd and proftpd conflict with vsftpd in apt (all provide
#   ftp-server), so they are downloaded and unpacked into test/.peers/<peer>/
#   and run from there; only their shared libraries are installed with apt.
# - No service may start: a temporary policy-rc.d refuses every start, and a
#   vsftpd that a package script started anyway is stopped.
#
# Idempotent and quiet: a second run checks and installs nothing. Runs as root
# (or through sudo); needs the network only for Debian apt.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root=$(pwd)
peers_dir="$repo_root/test/.peers"

apt_packages=(vsftpd curl lftp python3 python3-pyftpdlib python3-openssl openssl tnftp redis-server haproxy)
# peer folder → Debian packages unpacked into it. proftpd-basic is only a
# metapackage in Debian 12 (no files), so proftpd-core + proftpd-mod-crypto
# (mod_tls) are what we unpack.
declare -A extract_packages=(
  [pure-ftpd]="pure-ftpd"
  [proftpd]="proftpd-core proftpd-mod-crypto"
)

log() { printf 'install-peers: %s\n' "$*"; }

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo -n)
  else
    log "must run as root (or with sudo available)" >&2
    exit 1
  fi
fi
as_root() { "${sudo_cmd[@]}" "$@"; }

export DEBIAN_FRONTEND=noninteractive

# Runs a command with its output kept aside; shows it only when it fails
# (apt's debconf chatter is noise on success).
quietly() {
  local out rc=0
  out=$(mktemp)
  "$@" >"$out" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    cat "$out" >&2
    log "failed ($rc): $*" >&2
  fi
  rm -f "$out"
  return "$rc"
}

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" -eq 0 ]; then
    log "apt-get update"
    quietly as_root apt-get update -qq
    apt_updated=1
  fi
}

# --- temporary policy-rc.d: no package may start a service -------------------
policy=/usr/sbin/policy-rc.d
policy_backup=""
policy_installed=0
install_policy() {
  [ "$policy_installed" -eq 1 ] && return 0
  if [ -e "$policy" ]; then
    policy_backup=$(mktemp)
    as_root cp -p "$policy" "$policy_backup"
  fi
  printf '#!/bin/sh\n# temporary, written by .ci/install-peers.sh\nexit 101\n' | as_root tee "$policy" >/dev/null
  as_root chmod 755 "$policy"
  policy_installed=1
}
restore_policy() {
  [ "$policy_installed" -eq 1 ] || return 0
  if [ -n "$policy_backup" ]; then
    as_root cp -p "$policy_backup" "$policy"
    rm -f "$policy_backup"
  else
    as_root rm -f "$policy"
  fi
  policy_installed=0
}
download_dir=""
cleanup() {
  [ -n "$download_dir" ] && rm -rf "$download_dir"
  restore_policy
}
trap cleanup EXIT

apt_install() {
  install_policy
  apt_update_once
  log "apt-get install $*"
  quietly as_root apt-get install -y -qq --no-install-recommends "$@"
}

# --- 1. apt packages -----------------------------------------------------------
missing=()
for pkg in "${apt_packages[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# A vsftpd started by the package (policy-rc.d ignored, or no init system
# honouring it) would hold port 21 and confuse tests: stop it. Test instances
# (config file under /tmp, see test/support/peers/vsftpd.ts) are left alone,
# and nothing is touched when no system vsftpd runs.
system_vsftpd_pids() {
  local pid args
  for pid in $(pgrep -x vsftpd 2>/dev/null || true); do
    args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
    case "$args" in
      *" /tmp/"* | *"ftpwire-"*) ;; # a test instance
      "") ;;                         # gone meanwhile
      *) echo "$pid" ;;
    esac
  done
}
stop_system_vsftpd() {
  local pids pid
  pids=$(system_vsftpd_pids)
  [ -z "$pids" ] && return 0
  log "stopping the system vsftpd service (pid $(echo $pids))"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    as_root systemctl stop vsftpd >/dev/null 2>&1 || true
    as_root systemctl disable vsftpd >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/vsftpd ]; then
    # Stops by its pidfile only.
    as_root /etc/init.d/vsftpd stop >/dev/null 2>&1 || true
  fi
  for pid in $(system_vsftpd_pids); do
    as_root kill "$pid" 2>/dev/null || true
  done
}
stop_system_vsftpd

# --- 2. pure-ftpd / proftpd unpacked into test/.peers --------------------------
# Candidate versions of every package to unpack, from one apt-cache call
# (each call costs a third of a second).
declare -A candidates=()
load_candidates() {
  local pkg="" line
  candidates=()
  while IFS= read -r line; do
    case "$line" in
      [a-z0-9]*:) pkg=${line%:} ;;
      *Candidate:*) [ -n "$pkg" ] && candidates[$pkg]=$(echo "$line" | awk '{ print $2 }') ;;
    esac
  done < <(apt-cache policy ${extract_packages[@]} 2>/dev/null)
}
candidate_version() {
  local v=${candidates[$1]:-}
  [ "$v" = "(none)" ] && v=""
  printf '%s' "$v"
}

ensure_extracted() {
  local peer=$1; shift
  local dest="$peers_dir/$peer" pkg version marker need=()
  for pkg in "$@"; do
    version=$(candidate_version "$pkg")
    if [ -z "$version" ]; then
      apt_update_once
      load_candidates
      version=$(candidate_version "$pkg")
    fi
    if [ -z "$version" ]; then
      log "package $pkg is not available from apt" >&2
      exit 1
    fi
    # ':' (epoch) is not welcome in file names.
    marker="$dest/.extracted-$pkg-${version//:/_}"
    [ -f "$marker" ] || need+=("$pkg")
  done
  [ "${#need[@]}" -eq 0 ] && return 0

  if [ -z "$download_dir" ]; then
    download_dir=$(mktemp -d)
    # apt downloads as the unprivileged _apt user when it can write here.
    chmod 777 "$download_dir"
  fi
  log "downloading ${need[*]} into test/.peers/$peer"
  (cd "$download_dir" && apt-get download -qq "${need[@]}" >/dev/null 2>&1) || {
    apt_update_once
    (cd "$download_dir" && apt-get download -qq "${need[@]}" >/dev/null)
  }
  mkdir -p "$dest"
  for pkg in "${need[@]}"; do
    local deb
    deb=$(ls "$download_dir/${pkg}"_*.deb | head -n 1)
    rm -f "$dest/.extracted-$pkg-"*
    dpkg-deb -x "$deb" "$dest"
    version=$(dpkg-deb -f "$deb" Version)
    # Keep the Depends line: it names the shared-library packages to install.
    dpkg-deb -f "$deb" Depends >"$dest/.depends-$pkg"
    touch "$dest/.extracted-$pkg-${version//:/_}"
  done
}

# Shared libraries: ldd on every binary and module; a "not found" library
# means one of the package's lib* dependencies is missing, so install those.
missing_libs() {
  local dest=$1 f elf=()
  for f in "$dest"/usr/sbin/* "$dest"/usr/bin/* "$dest"/usr/lib/proftpd/*.so; do
    # Only ELF files (some of usr/sbin are shell scripts).
    [ -f "$f" ] && [ "$(head -c 4 "$f" | tail -c 3)" = "ELF" ] && elf+=("$f")
  done
  [ "${#elf[@]}" -eq 0 ] && return 0
  { ldd "${elf[@]}" 2>/dev/null || true; } | awk '/not found/ { print $1 }' | sort -u
}

ensure_libs() {
  local peer=$1 dest="$peers_dir/$1"
  local libs
  libs=$(missing_libs "$dest")
  [ -z "$libs" ] && return 0
  local deps=() dep
  for dep in $(cat "$dest"/.depends-* 2>/dev/null | tr ',|' '\n\n' | sed 's/(.*//; s/:any//' | awk '{ print $1 }' | grep '^lib' | sort -u); do
    is_installed "$dep" || deps+=("$dep")
  done
  if [ "${#deps[@]}" -gt 0 ]; then
    apt_install "${deps[@]}"
  fi
  libs=$(missing_libs "$dest")
  if [ -n "$libs" ]; then
    log "$peer: shared libraries still missing: $(echo $libs)" >&2
    exit 1
  fi
}

load_candidates
for peer in "${!extract_packages[@]}"; do
  # shellcheck disable=SC2086 # word splitting of the package list is wanted
  ensure_extracted "$peer" ${extract_packages[$peer]}
  ensure_libs "$peer"
done

# --- 3. final check -------------------------------------------------------------
for bin in /usr/sbin/vsftpd /usr/bin/curl /usr/bin/lftp /usr/bin/tnftp /usr/bin/openssl /usr/bin/python3 \
  "$peers_dir/pure-ftpd/usr/sbin/pure-ftpd" "$peers_dir/pure-ftpd/usr/bin/pure-pw" \
  "$peers_dir/proftpd/usr/sbin/proftpd" "$peers_dir/proftpd/usr/lib/proftpd/mod_tls.so"; do
  if [ ! -e "$bin" ]; then
    log "expected $bin after install, it is missing" >&2
    exit 1
  fi
done
/usr/bin/python3 -c 'import pyftpdlib, OpenSSL, ssl' 2>/dev/null || {
  log "/usr/bin/python3 cannot import pyftpdlib/OpenSSL/ssl" >&2
  exit 1
}
stop_system_vsftpd
log "peers ready"
