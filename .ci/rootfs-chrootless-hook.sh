#!/bin/bash
# mmdebstrap --customize-hook for a root filesystem made in chrootless mode (another architecture,
# .ci/base-images.sh). $1 is the target; MMDEBSTRAP_APT_CONFIG the apt configuration mmdebstrap made.
set -euo pipefail
target=$1

# 1. dpkg's path filters. mmdebstrap writes them (--dpkgopt) into the target's dpkg configuration,
# which chrootless mode's host dpkg does not read: apply them now, in dpkg's order (the last filter
# that matches a path decides; a pattern's * matches "/" as well).
mapfile -t filters < <(grep -hE '^path-(exclude|include)=' "$target"/etc/dpkg/dpkg.cfg.d/* || true)
matches() { # <path> <pattern>
  # shellcheck disable=SC2254 # the pattern is meant to glob
  case "$1" in $2) return 0 ;; esac
  return 1
}
# excluded <path> [parent]: whether dpkg would leave <path> out. With "parent" (a directory, or a
# link to one), a path that leads to an included one is kept, as dpkg keeps such directories.
excluded() {
  local verdict=keep filter parts slashes
  for filter in "${filters[@]}"; do
    if matches "$1" "${filter#*=}"; then
      if [[ $filter == path-exclude=* ]]; then verdict=drop; else verdict=keep; fi
    fi
  done
  if [ "$verdict" = drop ] && [ "${2:-}" = parent ]; then
    slashes=${1//[^\/]/}
    for filter in "${filters[@]}"; do
      [[ $filter == path-include=* ]] || continue
      IFS=/ read -ra parts <<<"${filter#*=}"
      if matches "$1" "$(IFS=/ && echo "${parts[*]:0:${#slashes}+1}")"; then verdict=keep; fi
    done
  fi
  [ "$verdict" = drop ]
}
if [ "${#filters[@]}" -gt 0 ]; then
  while IFS= read -r -d '' path; do
    kind=file
    [ ! -L "$path" ] || [ ! -d "$path" ] || kind=parent
    if excluded "${path#"$target"}" "$kind"; then rm -f "$path"; fi
  done < <(find "$target/usr/share" \( -type f -o -type l \) -print0)
  while IFS= read -r -d '' dir; do
    if [ -z "$(ls -A "$dir")" ] && excluded "${dir#"$target"}" parent; then rmdir "$dir"; fi
  done < <(find "$target/usr/share" -mindepth 1 -depth -type d -print0)
  # Alternatives' links to what was dropped (manual pages), which dpkg would not have made.
  for link in "$target"/etc/alternatives/*; do
    if [ -L "$link" ] && [ ! -e "$target$(readlink "$link")" ]; then rm "$link"; fi
  done
fi

# 2. The maintainer scripts of ca-certificates (update-ca-certificates) and netbase (/etc/hosts,
# /etc/networks) write to the host's /etc in chrootless mode: they do not honour DPKG_ROOT. So
# they are left out of mmdebstrap's package list and installed here, with openssl, by dpkg inside
# the target: emulated, but only three packages.
debs=/tmp/chrootless-debs
mkdir -p "$target$debs"
(cd "$target$debs" && APT_CONFIG="$MMDEBSTRAP_APT_CONFIG" apt-get download -q -o APT::Sandbox::User=root ca-certificates openssl netbase)
chroot "$target" sh -c "dpkg --install $debs/*.deb"
rm -rf "${target:?}$debs"
for file in /etc/ssl/certs/ca-certificates.crt /etc/hosts /etc/networks; do
  test -s "$target$file" || { echo "rootfs-chrootless-hook: $file was not made" >&2; exit 1; }
done
