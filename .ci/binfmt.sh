#!/usr/bin/env bash
# Let this machine run linux/arm64 containers under emulation, for the arm64 base images and
# tests: binfmt_misc mounted, Debian's qemu-user-static and binfmt-support installed, the
# qemu-aarch64 entry enabled, and arch-test (mmdebstrap asks for it to make a foreign root
# filesystem). The entries carry the F flag (the interpreter is opened when it is
# registered), so they work inside containers and the Docker engine needs no restart.
# Idempotent: each part is done only when missing. Run as root.
set -euo pipefail

CI_TAG=binfmt
ci_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=.ci/lib.sh
. "$ci_dir/lib.sh"

ARCH=arm64
[ "$(native_arch)" != "$ARCH" ] || { echo "[$CI_TAG] native $ARCH: nothing to emulate"; exit 0; }

step_begin
PACKAGES=(qemu-user-static binfmt-support arch-test)
installed() { [ "$(dpkg-query -W -f='${Status}\n' "${PACKAGES[@]}" 2>/dev/null | grep -c '^install ok installed$')" -eq "${#PACKAGES[@]}" ]; }
if emulation_ready "$ARCH" && installed; then
  step_end binfmt "present: $(/usr/bin/qemu-"$(uname_of "$ARCH")"-static --version | head -n 1)"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || die "must run as root (mount, apt-get, update-binfmts)"
if ! mountpoint -q /proc/sys/fs/binfmt_misc; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
    die "cannot mount binfmt_misc (a container needs the host to mount it, or --privileged)"
fi
if ! installed; then
  apt_get_install() { DEBIAN_FRONTEND=noninteractive quiet apt-get install -y --no-install-recommends "${PACKAGES[@]}"; }
  apt_get_install || { quiet apt-get update && apt_get_install; }
fi
# Installed before binfmt_misc was mounted, the entries are known to binfmt-support but not
# registered with the kernel.
emulation_ready "$ARCH" || quiet update-binfmts --enable "qemu-$(uname_of "$ARCH")"
emulation_ready "$ARCH" || die "qemu-$(uname_of "$ARCH") is not registered with the F flag"
step_end binfmt "registered: $(/usr/bin/qemu-"$(uname_of "$ARCH")"-static --version | head -n 1)"
