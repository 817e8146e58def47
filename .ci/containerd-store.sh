#!/usr/bin/env bash
# A second Docker engine with the containerd image store, beside the shared classic one, and a local
# registry that serves the offline bases as multi-platform images, as Docker Hub serves the public
# ones. `course images save|load --platform` is tested against both engines with these.
#
#   registry   Debian's docker-registry at $COURSE_REGISTRY (127.0.0.1:<port>), data in
#              $COURSE_CACHE_DIR/registry; Docker treats 127.0.0.0/8 as an insecure-allowed registry.
#   images     127.0.0.1:<port>/<base> for each of $BUILD_IMAGE and $DISTROLESS_IMAGE: an index of
#              linux/amd64 (the offline base itself) and linux/arm64 (the same base when the engine
#              holds an arm64 one under <base>-arm64, else a one-file arm64 image: a stand-in whose
#              manifest names the right platform, enough for what the archive tests read).
#   engine     dockerd with "features": {"containerd-snapshotter": true}, its own data root, exec
#              root, pid file, socket ($COURSE_CONTAINERD_HOST, unix://<dir>/docker.sock), its own
#              containerd, --iptables=false, and its own bridge (course-cs0, 172.30.213.1/24). It is
#              never started with --bridge=none: that deletes the host's docker0 under the shared
#              engine.
# Idempotent: what answers is left as it is; images are pushed again only when the local base's
# ID differs from what the registry serves. Nothing of the shared engine is stopped or changed.
# .ci/run sets both addresses; the tests read them from the same variables.
set -euo pipefail

CI_TAG=containerd-store
ci_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=.ci/lib.sh
. "$ci_dir/lib.sh"

CACHE=${COURSE_CACHE_DIR:-/var/cache/course-offline}
REGISTRY=${COURSE_REGISTRY:?127.0.0.1:<port> of the local registry (set by .ci/run)}
SOCKET=${COURSE_CONTAINERD_HOST:?unix://<dir>/docker.sock of the second engine (set by .ci/run)}
[[ "$SOCKET" == unix://*/docker.sock ]] || die "COURSE_CONTAINERD_HOST must be unix://<dir>/docker.sock"
RUN_DIR=$(dirname "${SOCKET#unix://}")
DATA_ROOT=/var/lib/$(basename "$RUN_DIR")
BRIDGE=course-cs0
BRIDGE_ADDRESS=172.30.213.1/24
LOG=/var/log/course-containerd-store.log
: "${BUILD_IMAGE:?the offline build base (set by .ci/run)}"
: "${DISTROLESS_IMAGE:?the offline runtime base (set by .ci/run)}"

[ "$(id -u)" -eq 0 ] || die "must run as root"
docker_up || die "no Docker engine answers: run .ci/docker-engine.sh first"
mkdir -p "$CACHE/registry" "$RUN_DIR"
exec 8>"$CACHE/registry/.lock"
flock 8 # one setup at a time

# --- the registry -----------------------------------------------------------------------------
step_begin
registry_up() { curl -fsS --max-time 2 "http://$REGISTRY/v2/" >/dev/null 2>&1; }
if registry_up; then
  step_end registry "answering at $REGISTRY"
else
  if ! command -v docker-registry >/dev/null 2>&1; then
    install() {
      DEBIAN_FRONTEND=noninteractive quiet apt-get -o DPkg::Lock::Timeout=300 install -y \
        --no-install-recommends docker-registry
    }
    install || { quiet apt-get -o DPkg::Lock::Timeout=300 update && install; }
  fi
  cat >"$CACHE/registry/config.yml" <<EOF
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $CACHE/registry/data }
  delete: { enabled: true }
http:
  addr: $REGISTRY
EOF
  setsid nohup docker-registry serve "$CACHE/registry/config.yml" >>"$CACHE/registry/registry.log" 2>&1 </dev/null 8>&- &
  for _ in $(seq 40); do registry_up && break; sleep 0.25; done
  registry_up || die "the registry did not answer at $REGISTRY; see $CACHE/registry/registry.log"
  step_end registry "started pid $!, $(docker-registry --version 2>/dev/null | awk '{print $NF}'), at $REGISTRY"
fi

# --- multi-platform images of the offline bases ------------------------------------------------
# platform_config <index> <arch>: the config digest of the index's <arch> image, as served.
platform_config() {
  docker manifest inspect --insecure --verbose "$1" 2>/dev/null | node -e '
    let s = "";
    process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const entries = [JSON.parse(s || "[]")].flat();
      const e = entries.find((x) => x.Descriptor?.platform?.architecture === process.argv[1]);
      const m = e && (e.SchemaV2Manifest ?? e.OCIManifest);
      if (m) console.log(m.config.digest);
    });' "$2" || true
}

# arm64_of <base>: an arm64 image for <base> on the shared engine (made when missing).
arm64_of() {
  local base=$1 own="$1-arm64" stand_in
  if [ "$(docker image inspect --format '{{.Architecture}}' "$own" 2>/dev/null)" = arm64 ]; then
    echo "$own"
    return
  fi
  stand_in="$REGISTRY/${base%:*}:${base##*:}-arm64-stand-in"
  if [ "$(docker image inspect --format '{{.Architecture}}' "$stand_in" 2>/dev/null)" != arm64 ]; then
    local dir
    dir=$(mktemp -d)
    printf 'linux/arm64 stand-in for %s\n' "$base" >"$dir/stand-in.txt"
    tar -C "$dir" -cf - stand-in.txt | quiet docker import --platform linux/arm64 - "$stand_in"
    rm -rf "$dir"
  fi
  echo "$stand_in"
}

for base in "$BUILD_IMAGE" "$DISTROLESS_IMAGE"; do
  step_begin
  docker image inspect "$base" >/dev/null 2>&1 || die "$base is not on the shared engine: run .ci/base-images.sh"
  index=$REGISTRY/$base
  local_id=$(docker image inspect --format '{{.Id}}' "$base")
  if [ "$(platform_config "$index" amd64)" = "$local_id" ] && [ -n "$(platform_config "$index" arm64)" ]; then
    step_end "$base" "served as $index (linux/amd64, linux/arm64)"
    continue
  fi
  arm64=$(arm64_of "$base")
  quiet docker tag "$base" "$index-amd64"
  quiet docker tag "$arm64" "$index-arm64"
  quiet docker push "$index-amd64"
  quiet docker push "$index-arm64"
  quiet docker manifest rm "$index" 2>/dev/null || true
  quiet docker manifest create --insecure "$index" "$index-amd64" "$index-arm64"
  quiet docker manifest push --insecure --purge "$index"
  docker rmi "$index-amd64" "$index-arm64" >/dev/null
  step_end "$base" "pushed as $index (linux/amd64: the base; linux/arm64: $arm64)"
done

# --- the containerd-store engine ---------------------------------------------------------------
step_begin
second_up() { DOCKER_HOST=$SOCKET timeout 10 docker info >/dev/null 2>&1; }
if second_up; then
  step_end engine "answering at $SOCKET"
else
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$BRIDGE_ADDRESS" dev "$BRIDGE"
    ip link set "$BRIDGE" up
  fi
  mkdir -p "$DATA_ROOT"
  cat >"$RUN_DIR/daemon.json" <<'EOF'
{ "features": { "containerd-snapshotter": true } }
EOF
  setsid nohup dockerd --config-file "$RUN_DIR/daemon.json" --data-root "$DATA_ROOT" \
    --exec-root "$RUN_DIR/exec" --pidfile "$RUN_DIR/docker.pid" --host "$SOCKET" \
    --bridge "$BRIDGE" --iptables=false --ip6tables=false \
    >>"$LOG" 2>&1 </dev/null 8>&- &
  pid=$!
  for _ in $(seq 120); do
    second_up && break
    kill -0 "$pid" 2>/dev/null || die "dockerd exited; see $LOG"
    sleep 0.5
  done
  second_up || die "dockerd did not answer at $SOCKET in 60 s; see $LOG"
  step_end engine "started pid $pid at $SOCKET"
fi
store=$(DOCKER_HOST=$SOCKET docker info --format '{{range .DriverStatus}}{{index . 0}}={{index . 1}} {{end}}')
[[ "$store" == *io.containerd.snapshotter* ]] || die "the engine at $SOCKET does not use the containerd image store ($store)"
step_begin
step_end ready "engine $(DOCKER_HOST=$SOCKET docker version --format '{{.Server.Version}}') ($store) at $SOCKET; registry $REGISTRY"
