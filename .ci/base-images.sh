#!/usr/bin/env bash
# Assemble the course's two base images offline (no Docker Hub), under the project's own names
# (offline_image in .ci/lib.sh), for this machine's architecture and, with --arch, for others:
#
#   course-offline/node-build:24-trixie-slim     stand-in for node:24-trixie-slim
#   course-offline/distroless-nodejs:24-nonroot  stand-in for gcr.io/distroless/nodejs24-debian13:nonroot
#   …-arm64 (tag suffix)                          the same for linux/arm64 (`--arch arm64`, run under
#                                                 QEMU: .ci/binfmt.sh first); the classic image store
#                                                 holds one platform per tag
#
# Ingredients, all cached under $COURSE_CACHE_DIR (default /var/cache/course-offline):
#   npm/node-linux-<x64|arm64>-<v>.tgz  the official Node.js build, as the npm registry ships it
#   npm/npm-<v>.tgz                     npm itself (each checked against the registry's
#                                       dist.integrity, kept beside it as .integrity; .ci/lib.sh)
#   rootfs/debian-trixie-<arch>-minbase.tar  Debian 13 minbase + ca-certificates, tzdata, netbase
#   rootfs/distroless-trixie-<arch>.tar      libc6, libgcc-s1, libstdc++6, tzdata, netbase, CA bundle
# The image definitions are infra/base-images/*.Containerfile. An image is built only when
# `docker image inspect` does not find it (or with --rebuild); an ingredient is fetched or made
# only when it is not in the cache. Delete the cache directory to start from scratch.
#
# Environment: COURSE_CACHE_DIR, COURSE_NODE_VERSION (e.g. 24.21.0; default: the version an
# existing image carries, else the newest 24.x in the cache, else in the registry),
# COURSE_NPM_VERSION (default: likewise for 11.x), COURSE_DEBIAN_MIRROR,
# COURSE_DEBIAN_SECURITY_MIRROR (default: this machine's apt sources), COURSE_CA_BUNDLE (the CA
# bundle baked into the build image; default the host's /etc/ssl/certs/ca-certificates.crt).
set -euo pipefail

CI_TAG=base-images
ci_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$ci_dir/.." && pwd)
# shellcheck source=.ci/lib.sh
. "$ci_dir/lib.sh"

NODE_MAJOR=24
NPM_MAJOR=11 # the npm major that Node.js 24 bundles
SUITE=$OFFLINE_SUITE
HOST_CA=${COURSE_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
CACHE=${COURSE_CACHE_DIR:-/var/cache/course-offline}
SRC=$repo/infra/base-images
# What the distroless runtime takes from the Debian root filesystem, file by file.
DISTROLESS_PACKAGES=(libc6 libgcc-s1 libstdc++6 tzdata netbase)

rebuild=
arches=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rebuild) rebuild=1 ;;
    --arch)
      [ $# -ge 2 ] || die "--arch needs amd64 or arm64"
      arches+=("$2")
      shift
      ;;
    *) die "usage: $0 [--rebuild] [--arch amd64|arm64]... (default: this machine's architecture)" ;;
  esac
  shift
done
[ "${#arches[@]}" -gt 0 ] || arches=("$(native_arch)")
mapfile -t arches < <(printf '%s\n' "${arches[@]}" | awk '!seen[$0]++')
for arch in "${arches[@]}"; do
  node_package "$arch" >/dev/null || die "unsupported architecture '$arch' (amd64 or arm64)"
done

# An image made from another Debian release (an older script's) is rebuilt.
have_image() {
  [ "$(docker image inspect --format '{{index .Config.Labels "course.debian.suite"}}' "$1" 2>/dev/null)" = "$SUITE" ]
}
image_summary() {
  docker image inspect --format \
    '{{index .Config.Labels "course.node.version"}} {{.Architecture}} {{.Size}}' "$1" |
    awk '{ printf "node %s, %s, %.0f MB", $1, $2, $3 / 1e6 }'
}
label_of() { docker image inspect --format "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true; }

# --- fast path -------------------------------------------------------------------------------
step_begin
docker_up || die "no Docker engine answers: run .ci/docker-engine.sh first"
need_build=()
present=()
for arch in "${arches[@]}"; do
  for kind in build distroless; do
    image=$(offline_image "$kind" "$arch")
    if have_image "$image" && [ -z "$rebuild" ]; then
      present+=("$image ($(image_summary "$image"))")
    else
      need_build+=("$image")
    fi
  done
done
if [ "${#need_build[@]}" -eq 0 ]; then
  step_end check "present: $(printf '%s, ' "${present[@]}" | sed 's/, $//')"
  exit 0
fi
step_end check "to build: ${need_build[*]}"
building() { [[ " ${need_build[*]} " == *" $1 "* ]]; }

[ "$(id -u)" -eq 0 ] || die "must run as root (mmdebstrap, file ownership in the root filesystems)"
mkdir -p "$CACHE/npm" "$CACHE/rootfs" "$CACHE/work"
exec 9>"$CACHE/.lock"
flock 9 # one build at a time per cache directory
work=$(mktemp -d "$CACHE/work/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- versions: one Node.js and one npm for every image ----------------------------------------
# COURSE_* override > the version an image that is kept carries > newest in the cache > newest
# in the registry.
step_begin
NODE_VERSION=${COURSE_NODE_VERSION:-}
NPM_VERSION=${COURSE_NPM_VERSION:-}
for arch in "${arches[@]}" "$(native_arch)"; do
  for kind in build distroless; do
    image=$(offline_image "$kind" "$arch")
    building "$image" || ! have_image "$image" && continue
    [ -n "$NODE_VERSION" ] || NODE_VERSION=$(label_of "$image" course.node.version)
    [ "$kind" = distroless ] || [ -n "$NPM_VERSION" ] || NPM_VERSION=$(label_of "$image" course.npm.version)
  done
done
[ -n "$NODE_VERSION" ] || NODE_VERSION=$(npm_newest "$CACHE/npm" "$(node_package "$(native_arch)")" "$NODE_MAJOR")
[[ "$NODE_VERSION" == "$NODE_MAJOR".* ]] || die "no Node.js $NODE_MAJOR.x found (got '$NODE_VERSION')"
[ -n "$NPM_VERSION" ] || NPM_VERSION=$(npm_newest "$CACHE/npm" npm "$NPM_MAJOR")
[[ "$NPM_VERSION" == "$NPM_MAJOR".* ]] || die "no npm $NPM_MAJOR.x found (got '$NPM_VERSION')"
cached_note="cached"
[ -s "$CACHE/npm/npm-$NPM_VERSION.tgz" ] || cached_note="downloaded"
npm_tgz=$(npm_tarball "$CACHE/npm" npm "$NPM_VERSION")
step_end versions "Node.js $NODE_VERSION, npm $NPM_VERSION ($cached_note)"

MIRROR=$(apt_archive)
SECURITY_MIRROR=$(apt_archive security)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# --- per architecture ------------------------------------------------------------------------------
# fetch_node <arch>: the official Node.js build for <arch>, unpacked into $work/node-<arch>.
fetch_node() {
  local arch=$1 pkg tgz note=cached
  pkg=$(node_package "$arch")
  step_begin
  [ -s "$CACHE/npm/$pkg-$NODE_VERSION.tgz" ] || note=downloaded
  tgz=$(npm_tarball "$CACHE/npm" "$pkg" "$NODE_VERSION")
  mkdir -p "$work/node-$arch"
  tar -xzf "$tgz" -C "$work/node-$arch" --strip-components=1 --no-same-owner
  rm -f "$work/node-$arch/package.json" # the npm wrapper's manifest, not part of a Node.js release
  [ -x "$work/node-$arch/bin/node" ] || die "$tgz has no executable bin/node"
  step_end "node $arch" "$pkg $NODE_VERSION ($note)"
}

# make_rootfs <arch>: the Debian minbase root filesystem for <arch> (mmdebstrap), cached.
make_rootfs() {
  local arch=$1 tar=$CACHE/rootfs/debian-$SUITE-$arch-minbase.tar
  local info=$CACHE/rootfs/debian-$SUITE-$arch-minbase.info
  local packages=$CACHE/rootfs/debian-$SUITE-$arch-minbase.packages
  step_begin
  if [ -s "$tar" ] && [ -s "$info" ]; then
    step_end "rootfs $arch" "cached ($tar)"
    return
  fi
  if ! command -v mmdebstrap >/dev/null 2>&1 || ! command -v eatmydata >/dev/null 2>&1; then
    apt_get_install() { DEBIAN_FRONTEND=noninteractive quiet apt-get install -y --no-install-recommends mmdebstrap eatmydata; }
    apt_get_install || { quiet apt-get update && apt_get_install; }
  fi
  # minbase + ca-certificates + tzdata (+ netbase for the distroless image's /etc/services),
  # trimmed like Debian's official -slim images; merged /usr made with symlinks as debootstrap
  # does (hook), instead of the usrmerge package (which would pull perl into the image).
  # dpkg's path filters, as Debian's -slim images set them.
  local filters=(
    --path-exclude=/usr/share/man/* --path-exclude=/usr/share/info/* --path-exclude=/usr/share/groff/*
    --path-exclude=/usr/share/linda/* --path-exclude=/usr/share/lintian/*
    --path-exclude=/usr/share/doc/* --path-include=/usr/share/doc/*/copyright
    --path-exclude=/usr/share/locale/* --path-include=/usr/share/locale/locale.alias)
  local common=(--variant=minbase --format=tar --architectures="$arch"
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
    --aptopt='APT::Install-Recommends "false"'
    --aptopt='APT::Install-Suggests "false"')
  local filter
  for filter in "${filters[@]}"; do common+=(--dpkgopt="${filter#--}"); done
  local sources=("$SUITE" "$work/rootfs-$arch.tar"
    "deb $MIRROR $SUITE main"
    "deb $MIRROR $SUITE-updates main"
    "deb $SECURITY_MIRROR $SUITE-security main")
  if [ "$arch" = "$(native_arch)" ]; then
    # dpkg inside the new root, under eatmydata (no fsync), which saves a good part of the time.
    quiet mmdebstrap --mode=root "${common[@]}" --hook-dir=/usr/share/mmdebstrap/hooks/eatmydata \
      --include=ca-certificates,tzdata,netbase "${sources[@]}"
  else
    # Another architecture: the host's own dpkg installs into the new root (chrootless mode,
    # DPKG_ROOT), so only the maintainer scripts of ca-certificates and netbase run emulated, and
    # the path filters are applied afterwards (both in rootfs-chrootless-hook.sh). That takes
    # minutes, where running every maintainer script under QEMU took about half an hour. The
    # host's /etc, /usr and /var/lib are read-only meanwhile: a maintainer script that would
    # write there fails instead of changing this machine.
    quiet unshare --mount --propagation private sh -c '
      for dir in /etc /usr /var/lib; do mount --bind "$dir" "$dir" && mount -o remount,bind,ro "$dir"; done
      exec "$@"' sh mmdebstrap --mode=chrootless "${common[@]}" --include=tzdata \
      --customize-hook="$ci_dir/rootfs-chrootless-hook.sh" "${sources[@]}"
  fi
  mkdir -p "$work/debian-$arch"
  tar -xf "$work/rootfs-$arch.tar" -C "$work/debian-$arch" --numeric-owner
  {
    echo "DEBIAN_VERSION=$(cat "$work/debian-$arch/etc/debian_version")"
    echo "ROOTFS_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "ROOTFS_EPOCH=$(date -u +%s)"
  } >"$work/rootfs-$arch.info"
  dpkg-query --admindir="$work/debian-$arch/var/lib/dpkg" -W -f='${Package}\t${Version}\n' >"$packages"
  mv "$work/rootfs-$arch.tar" "$tar"
  mv "$work/rootfs-$arch.info" "$info"
  rm -f "$CACHE/rootfs/distroless-$SUITE-$arch.tar" # derived from the old root filesystem
  step_end "rootfs $arch" "made with mmdebstrap: $(du -m "$tar" | cut -f1) MB, $(wc -l <"$packages") packages"
}

# make_distroless_rootfs <arch>: the distroless root filesystem, file by file from the Debian one.
make_distroless_rootfs() {
  local arch=$1 rootfs_tar=$CACHE/rootfs/debian-$SUITE-$arch-minbase.tar
  local distroless_tar=$CACHE/rootfs/distroless-$SUITE-$arch.tar
  local R=$work/debian-$arch D=$work/distroless-$arch pkg path dir
  step_begin
  if [ -s "$distroless_tar" ] && [ "$distroless_tar" -nt "$rootfs_tar" ] &&
    [ "$distroless_tar" -nt "$SRC/distroless/etc" ] && [ "$distroless_tar" -nt "$ci_dir/base-images.sh" ]; then
    step_end "distroless-rootfs $arch" "cached ($distroless_tar)"
    return
  fi
  if [ ! -d "$R" ]; then
    mkdir -p "$R"
    tar -xf "$rootfs_tar" -C "$R" --numeric-owner
  fi
  mkdir -p "$D/usr/lib" "$D/etc/ssl/certs" "$D/var/lib/dpkg/status.d"
  ln -s usr/lib "$D/lib" # merged /usr, as in the Debian root filesystem
  if [ "$arch" = amd64 ]; then
    mkdir -p "$D/usr/lib64"
    ln -s usr/lib64 "$D/lib64" # node's ELF interpreter is /lib64/ld-linux-x86-64.so.2
  fi
  : >"$work/distroless-$arch.files"
  declare -A canonical=()
  for pkg in "${DISTROLESS_PACKAGES[@]}"; do
    dpkg-query --admindir="$R/var/lib/dpkg" -L "$pkg" >"$work/$pkg-$arch.list"
    while IFS= read -r path; do
      # Files and symlinks only (directories follow), where dpkg's path-excludes left them;
      # parents resolved through the merged-/usr symlinks (/lib -> usr/lib).
      if [ -L "$R$path" ] || { [ -e "$R$path" ] && [ ! -d "$R$path" ]; }; then
        dir=${path%/*}
        [ -n "${canonical["d$dir"]+set}" ] || canonical["d$dir"]=$(realpath "$R$dir")
        echo ".${canonical["d$dir"]#"$R"}/${path##*/}"
      fi
    done <"$work/$pkg-$arch.list" >>"$work/distroless-$arch.files"
    dpkg-query --admindir="$R/var/lib/dpkg" -s "$pkg" >"$D/var/lib/dpkg/status.d/$pkg"
  done
  dpkg-query --admindir="$R/var/lib/dpkg" -s ca-certificates >"$D/var/lib/dpkg/status.d/ca-certificates"
  # Debian's CA bundle (not the host's: the runtime image carries no proxy CA) and version.
  printf '%s\n' ./etc/ssl/certs/ca-certificates.crt ./etc/debian_version >>"$work/distroless-$arch.files"
  tar -C "$R" -cf - --no-recursion -T "$work/distroless-$arch.files" | tar -C "$D" -xf - --numeric-owner
  install -m 0644 "$SRC/distroless/etc/passwd" "$SRC/distroless/etc/group" \
    "$SRC/distroless/etc/nsswitch.conf" "$SRC/distroless/etc/os-release" "$D/etc/"
  install -d -m 1777 "$D/tmp"
  install -d -m 0700 "$D/root"
  install -d -m 0755 "$D/home"
  install -d -m 0700 -o 65532 -g 65532 "$D/home/nonroot"
  # No shell may have slipped in (none of these packages ships one).
  if find "$D" \( -type f -o -type l \) | grep -qE '/s?bin/(sh|bash|dash|ash|busybox)$'; then
    die "a shell ended up in the distroless root filesystem"
  fi
  # shellcheck disable=SC1090
  . "$CACHE/rootfs/debian-$SUITE-$arch-minbase.info" # ROOTFS_EPOCH
  tar -C "$D" --numeric-owner --sort=name --mtime="@$ROOTFS_EPOCH" -cf "$work/distroless-$arch.tar" .
  mv "$work/distroless-$arch.tar" "$distroless_tar"
  step_end "distroless-rootfs $arch" "made: $(du -m "$distroless_tar" | cut -f1) MB, $(wc -l <"$work/distroless-$arch.files") files"
}

build() { # <image> <arch> <containerfile> <context> [build args...]
  local image=$1 arch=$2 file=$3 context=$4
  shift 4
  local args=()
  for a in "$@"; do args+=(--build-arg "$a"); done
  DOCKER_BUILDKIT=1 quiet docker build --progress=plain --platform "linux/$arch" \
    -f "$file" -t "$image" "${args[@]}" "$context"
}

build_node_build() { # <arch>
  local arch=$1 image ctx out
  image=$(offline_image build "$arch")
  step_begin
  # shellcheck disable=SC1090
  . "$CACHE/rootfs/debian-$SUITE-$arch-minbase.info" # DEBIAN_VERSION ROOTFS_DATE
  ctx=$work/ctx-node-build-$arch
  mkdir -p "$ctx/npm"
  ln "$CACHE/rootfs/debian-$SUITE-$arch-minbase.tar" "$ctx/rootfs.tar" 2>/dev/null ||
    cp "$CACHE/rootfs/debian-$SUITE-$arch-minbase.tar" "$ctx/rootfs.tar"
  cp -al "$work/node-$arch" "$ctx/node"
  tar -xzf "$npm_tgz" -C "$ctx/npm" --strip-components=1 --no-same-owner
  install -m 0644 "$HOST_CA" "$ctx/ca-certificates.crt"
  install -m 0755 "$SRC/docker-entrypoint.sh" "$ctx/docker-entrypoint.sh"
  build "$image" "$arch" "$SRC/node-build.Containerfile" "$ctx" \
    "NODE_VERSION=$NODE_VERSION" "NPM_VERSION=$NPM_VERSION" "DEBIAN_VERSION=$DEBIAN_VERSION" "DEBIAN_SUITE=$SUITE" \
    "ROOTFS_DATE=$ROOTFS_DATE" "CREATED=$created"
  # Smoke test: node, npm, the node user, the CA variable, the architecture.
  out=$(docker run --rm --platform "linux/$arch" "$image" sh -c \
    'echo "$(node --version) npm $(npm --version) uid $(id -u node) $NODE_EXTRA_CA_CERTS $(node -p process.arch)"')
  [[ "$out" == "v$NODE_VERSION npm $NPM_VERSION uid 1000 /etc/ssl/certs/ca-certificates.crt $(node_arch "$arch")" ]] ||
    die "$image smoke test: $out"
  step_end "node-build $arch" "built $image ($(image_summary "$image"), npm $NPM_VERSION, Debian $DEBIAN_VERSION)"
}

build_distroless() { # <arch>
  local arch=$1 image ctx out cid shells
  image=$(offline_image distroless "$arch")
  step_begin
  # shellcheck disable=SC1090
  . "$CACHE/rootfs/debian-$SUITE-$arch-minbase.info" # DEBIAN_VERSION ROOTFS_DATE
  ctx=$work/ctx-distroless-$arch
  mkdir -p "$ctx/node/bin"
  ln "$CACHE/rootfs/distroless-$SUITE-$arch.tar" "$ctx/rootfs.tar" 2>/dev/null ||
    cp "$CACHE/rootfs/distroless-$SUITE-$arch.tar" "$ctx/rootfs.tar"
  ln "$work/node-$arch/bin/node" "$ctx/node/bin/node"
  ln "$work/node-$arch/LICENSE" "$ctx/node/LICENSE"
  build "$image" "$arch" "$SRC/distroless-nodejs.Containerfile" "$ctx" \
    "NODE_VERSION=$NODE_VERSION" "DEBIAN_VERSION=$DEBIAN_VERSION" "DEBIAN_SUITE=$SUITE" \
    "ROOTFS_DATE=$ROOTFS_DATE" "CREATED=$created"
  # Smoke test: node runs as 65532 with a time zone, on the architecture, and there is no shell.
  out=$(docker run --rm --platform "linux/$arch" -e TZ=Europe/Paris "$image" -e \
    'console.log(process.version, process.getuid(), Intl.DateTimeFormat().resolvedOptions().timeZone, require("os").homedir(), process.arch)')
  [[ "$out" == "v$NODE_VERSION 65532 Europe/Paris /home/nonroot $(node_arch "$arch")" ]] || die "$image smoke test: $out"
  cid=$(docker create --platform "linux/$arch" "$image")
  shells=$(docker export "$cid" | tar -t | grep -E '(^|/)s?bin/(sh|bash|dash|ash|busybox)$' || true)
  docker rm "$cid" >/dev/null
  [ -z "$shells" ] || die "$image contains a shell: $shells"
  step_end "distroless $arch" "built $image ($(image_summary "$image"))"
}

for arch in "${arches[@]}"; do
  build_image=$(offline_image build "$arch")
  distroless_image=$(offline_image distroless "$arch")
  building "$build_image" || building "$distroless_image" || continue
  if [ "$arch" != "$(native_arch)" ]; then
    emulation_ready "$arch" || die "linux/$arch binaries cannot run here: run .ci/binfmt.sh first"
  fi
  fetch_node "$arch"
  make_rootfs "$arch"
  if building "$distroless_image"; then make_distroless_rootfs "$arch"; fi
  if building "$build_image"; then build_node_build "$arch"; fi
  if building "$distroless_image"; then build_distroless "$arch"; fi
done
