#!/usr/bin/env bash
# What linux/arm64 costs here, under QEMU emulation: prints a Markdown table for
# docs/benchmarks.md. Each figure is one run; nothing is asserted (the test that arm64 works is
# test/containers/arm64.test.ts). Needs .ci/binfmt.sh and the arm64 offline bases
# (.ci/base-images.sh --arch arm64); run from anywhere, with Node.js 24 first on PATH for
# `course check` (.ci/node.sh). Creates and removes its own images, containers and network
# (named advanced-docker-bench-arm64*).
set -euo pipefail

CI_TAG=bench-arm64
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

PLATFORM=linux/arm64
BUILD=$(offline_image build)
DISTROLESS_ARM64=$(offline_image distroless arm64)
BUILD_ARM64=$(offline_image build arm64)
NAME=advanced-docker-bench-arm64
emulation_ready arm64 || die "linux/arm64 binaries cannot run here: run .ci/binfmt.sh first"
for image in "$BUILD" "$DISTROLESS_ARM64" "$BUILD_ARM64"; do
  docker image inspect "$image" >/dev/null 2>&1 || die "$image is missing: run .ci/base-images.sh --arch arm64"
done

cleanup() {
  docker rm -f "$NAME-cosmosdb" "$NAME-company" >/dev/null 2>&1 || true
  docker network rm "$NAME" >/dev/null 2>&1 || true
  docker image rm "$NAME/company:arm64" "$NAME/cosmosdb:arm64" "$NAME/api:ex3" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

rows=()
# figure <label> <seconds> [note]
figure() { rows+=("| $1 | $(printf '%.1f' "$2") s | ${3:-} |"); }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'; }
wait_ok() { # <url> <seconds>
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null --max-time 5 "$1" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || die "$1 did not answer 2xx within $2 s"
    sleep 0.1
  done
}

t0=$EPOCHREALTIME
arch=$(docker run --rm --platform "$PLATFORM" "$DISTROLESS_ARM64" -p process.arch)
[ "$arch" = arm64 ] || die "node in $DISTROLESS_ARM64 says $arch"
figure "\`docker run\` of the arm64 distroless base printing \`process.arch\` (Node.js start-up emulated)" "$(since "$t0")"

for service in company cosmosdb; do
  dockerfile=services/$service/Dockerfile
  [ "$service" != cosmosdb ] || dockerfile=infra/cosmosdb/Dockerfile
  t0=$EPOCHREALTIME
  DOCKER_BUILDKIT=1 quiet docker build --no-cache --platform "$PLATFORM" -f "$dockerfile" \
    -t "$NAME/$service:arm64" --build-arg "BUILD_IMAGE=$BUILD" \
    --build-arg "DISTROLESS_IMAGE=$DISTROLESS_ARM64" .
  figure "\`docker build --platform $PLATFORM\` of $service, no layer cache (npm's download cache warm)" \
    "$(since "$t0")" "build stages native, nothing emulated"
done

docker network create "$NAME" >/dev/null
t0=$EPOCHREALTIME
docker run -d --platform "$PLATFORM" --name "$NAME-cosmosdb" --network "$NAME" --network-alias cosmosdb \
  -p 127.0.0.1::8081 "$NAME/cosmosdb:arm64" >/dev/null
db=$(docker port "$NAME-cosmosdb" 8081/tcp | head -n 1)
wait_ok "http://$db/" 120
figure "local Cosmos DB server: \`docker run\` to its first answer" "$(since "$t0")" "emulated"

t0=$EPOCHREALTIME
docker run -d --platform "$PLATFORM" --name "$NAME-company" --network "$NAME" \
  -e COSMOSDB_ENDPOINT_URL=http://cosmosdb:8081 \
  -e "COSMOSDB_MASTER_KEY=$(cat infra/cosmosdb/local-master-key)" \
  -p 127.0.0.1::8001 "$NAME/company:arm64" >/dev/null
url=http://$(docker port "$NAME-company" 8001/tcp | head -n 1)
wait_ok "$url/readyz" 180
figure "company: \`docker run\` to \`/readyz\` 200 (provisioning and seeding included)" "$(since "$t0")" "emulated"

t0=$EPOCHREALTIME
location=$(curl -fsS --max-time 30 -o /dev/null -w '%header{location}' -H 'content-type: application/json' \
  -d '{"name":"Arm bench","industry":"Processors","country":"GB","founded":1990}' "$url/companies")
curl -fsS --max-time 30 -o /dev/null "$url$location"
curl -fsS --max-time 30 -o /dev/null -X DELETE "$url$location"
figure "company: create, read, delete one company (three requests)" "$(since "$t0")" "emulated"

# course check 3 on a Debian-based answer (tools/course/test/fixtures/ex3-pass.Dockerfile): both
# of its stages are arm64, as a trainee's answer without --platform=\$BUILDPLATFORM would be.
t0=$EPOCHREALTIME
BUILD_IMAGE=$BUILD_ARM64 quiet node --import tsx tools/course/src/main.ts check 3 --platform "$PLATFORM" \
  --file tools/course/test/fixtures/ex3-pass.Dockerfile --timeout 180
figure "\`course check 3 --platform $PLATFORM\` on a Debian-based answer (layer cache as earlier runs left it)" \
  "$(since "$t0")" "emulated build and run"

echo "| Step (linux/arm64 on $(uname -m), QEMU $(/usr/bin/qemu-aarch64-static --version | head -n 1 | awk '{ print $3 }')) | Time | |"
echo "| --- | ---: | --- |"
printf '%s\n' "${rows[@]}"
