#!/usr/bin/env bash
# What a service image's build stage installs: `npm ci` time and node_modules size, for the
# Dockerfiles of a git revision given as "before" and of the working tree. Prints a Markdown table
# for docs/benchmarks.md; nothing is asserted. Builds `--target build` without the layer cache,
# after one warming build each, so npm's download cache (the BuildKit cache mount) is warm in both.
# Usage: .ci/bench-install.sh <before-revision> [<service folder>...] (default: services/company)
# COURSE_BENCH_WARM= (empty) skips the warming builds when npm's cache is known to be warm.
set -euo pipefail

CI_TAG=bench-install
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

[ $# -ge 1 ] || die "usage: $0 <before-revision> [<service folder>...]"
before=$1
shift
folders=("$@")
[ "${#folders[@]}" -gt 0 ] || folders=(services/company)
BUILD=${BUILD_IMAGE:-$(offline_image build)}
TAG=advanced-docker-bench-install:build
work=$(mktemp -d)
trap 'rm -rf "$work"; docker image rm "$TAG" >/dev/null 2>&1 || true' EXIT

# measure <dockerfile>: "<npm ci seconds> <node_modules MB> <packages>" of one uncached build.
measure() {
  local log step
  DOCKER_BUILDKIT=1 docker build --progress=plain --no-cache --target build -f "$1" -t "$TAG" \
    --build-arg "BUILD_IMAGE=$BUILD" . >"$work/log" 2>&1 || { tail -n 30 "$work/log" >&2; die "build of $1 failed"; }
  log=$work/log
  step=$(grep -E '^#[0-9]+ \[(linux/[a-z0-9]+ )?build +[0-9]+/[0-9]+\] RUN .*npm ci' "$log" | head -n 1 | sed -E 's/^#([0-9]+) .*/\1/')
  [ -n "$step" ] || die "no npm ci step in the build log of $1"
  printf '%s %s %s\n' \
    "$(sed -nE "s/^#$step DONE ([0-9.]+)s$/\1/p" "$log")" \
    "$(docker run --rm --entrypoint du "$TAG" -sm /src/node_modules | cut -f1)" \
    "$(docker run --rm --entrypoint sh "$TAG" -c 'ls -d /src/node_modules/* /src/node_modules/@*/* | grep -v "/@[^/]*$" | wc -l')"
}

echo "| Service | \`npm ci\` in the build stage | Packages in node_modules | node_modules |"
echo "| --- | ---: | ---: | ---: |"
for folder in "${folders[@]}"; do
  dockerfile=$folder/Dockerfile
  git show "$before:$dockerfile" >"$work/before.Dockerfile"
  if [ -n "${COURSE_BENCH_WARM:-1}" ]; then
    measure "$work/before.Dockerfile" >/dev/null # warm npm's cache for what the old file installs
    measure "$dockerfile" >/dev/null
  fi
  read -r old_s old_mb old_n < <(measure "$work/before.Dockerfile")
  read -r new_s new_mb new_n < <(measure "$dockerfile")
  echo "| ${folder##*/}, the whole root workspace ($(git rev-parse --short "$before")) | ${old_s} s | ${old_n} | ${old_mb} MB |"
  echo "| ${folder##*/}, its own workspace only | ${new_s} s | ${new_n} | ${new_mb} MB |"
done
