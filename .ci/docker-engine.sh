#!/usr/bin/env bash
# Make the newest Docker Engine that Debian ships, with the compose v2 and buildx plugins, available
# on a Debian 12 (bookworm) machine without Docker Hub, and start dockerd in the background.
#
# - Packages come from Debian's testing suite (forky: Engine 28.5, compose 2.40, buildx 0.29,
#   containerd 2.1 when this was written; testing moves on, and the step prints what it got),
#   the release trainees' Docker Desktop is closest to. The suite is added at a LOW pin priority
#   (100) so nothing else on the machine is upgraded; the packages are requested one by one as
#   `pkg/forky` (NOT `-t forky`: that would raise all of forky to priority 990 for the transaction
#   and drag in a near-complete dist-upgrade: libc6, systemd, perl, python3 ...). They need only
#   libc6 >= 2.34 (runc and tini come from the machine's own release: forky's need libc6 2.38).
#   The archive's address is the one this machine's apt sources use (apt_archive).
# - COURSE_ENGINE_SUITE=trixie installs Engine 26 instead (the oldest engine the kit supports).
# - dockerd is started by hand (no systemd here), logging to /var/log/dockerd.log; the
#   storage driver is dockerd's own choice (overlay2 when the kernel supports it), with a
#   retry on vfs if dockerd does not come up.
# Idempotent: every step is skipped when its result is already there; when `docker info`
# answers and both plugins work, the script exits at once.
set -euo pipefail

CI_TAG=docker-engine
# shellcheck source=.ci/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SUITE=${COURSE_ENGINE_SUITE:-forky}
case "$SUITE" in
  forky) MIN_ENGINE_MAJOR=28 ;;
  *) MIN_ENGINE_MAJOR=26 ;;
esac
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
SUITE_SOURCES=/etc/apt/sources.list.d/course-$SUITE.sources
SUITE_PIN=/etc/apt/preferences.d/course-$SUITE-low-pin
APT_PACKAGES=(docker.io/"$SUITE" docker-cli/"$SUITE" docker-compose/"$SUITE" docker-buildx/"$SUITE"
  containerd/"$SUITE")

plugins_ok() {
  docker compose version >/dev/null 2>&1 && docker buildx version >/dev/null 2>&1
}

engine_installed() {
  command -v dockerd >/dev/null 2>&1 || return 1
  local v
  v=$(dockerd --version 2>/dev/null | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p')
  [ -n "$v" ] && [ "$v" -ge "$MIN_ENGINE_MAJOR" ]
}

# ---------------------------------------------------------------------------------------
step_begin
if docker_up && plugins_ok; then
  step_end check "engine already running: server $(docker version --format '{{.Server.Version}}'), driver $(docker info --format '{{.Driver}}'), $(docker compose version --short 2>/dev/null | sed 's/^/compose /'), buildx $(docker buildx version | awk '{print $2}')"
  exit 0
fi
step_end check "engine not answering or plugins missing: setting up"

[ "$(id -u)" -eq 0 ] || die "must run as root"

# --- apt source for the suite at low priority ------------------------------------------
step_begin
sources_added=
if engine_installed && plugins_ok; then
  step_end apt-source "skipped (engine $(dockerd --version | awk '{print $3}' | tr -d ,) already installed)"
elif [ -f "$SUITE_SOURCES" ] && [ -f "$SUITE_PIN" ]; then
  step_end apt-source "skipped ($SUITE_SOURCES exists)"
else
  archive=$(apt_archive)
  cat >"$SUITE_SOURCES" <<EOF
# Added by .ci/docker-engine.sh: Docker Engine, compose v2 and buildx come from $SUITE.
Types: deb
URIs: $archive
Suites: $SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  cat >"$SUITE_PIN" <<EOF
# Added by .ci/docker-engine.sh: keep $SUITE below bookworm (500) so nothing is upgraded
# unless explicitly requested as pkg/$SUITE.
Package: *
Pin: release n=$SUITE
Pin-Priority: 100
EOF
  sources_added=1
  step_end apt-source "added $SUITE from $archive (pin 100)"
fi

# --- apt-get update -----------------------------------------------------------------------
step_begin
if engine_installed && plugins_ok; then
  step_end apt-update "skipped (engine installed)"
elif [ -z "$sources_added" ] &&
  compgen -G "/var/lib/apt/lists/*_dists_${SUITE}_main_binary-amd64_Packages*" >/dev/null; then
  step_end apt-update "skipped ($SUITE lists present)"
else
  quiet apt-get update
  step_end apt-update "done"
fi

# --- install the packages -------------------------------------------------------------------
step_begin
if engine_installed && plugins_ok; then
  step_end apt-install "skipped (dockerd $(dockerd --version | awk '{print $3}' | tr -d ,))"
else
  # No init system here: keep the package's maintainer scripts from starting a daemon.
  policy_rc_created=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    policy_rc_created=1
  fi
  apt_install() {
    DEBIAN_FRONTEND=noninteractive quiet apt-get install -y --no-install-recommends \
      -o Dpkg::Options::=--force-confold "${APT_PACKAGES[@]}"
  }
  rc=0
  # Stale package lists (testing moves every day) give 404s: refresh once and retry.
  apt_install || { quiet apt-get update && apt_install; } || rc=$?
  [ -n "$policy_rc_created" ] && rm -f /usr/sbin/policy-rc.d
  [ "$rc" -eq 0 ] || die "apt-get install failed"
  engine_installed || die "dockerd >= $MIN_ENGINE_MAJOR not found after install"
  step_end apt-install "installed from $SUITE: $(dpkg-query -W -f='docker.io ${Version}, ' docker.io)$(dpkg-query -W -f='docker-compose ${Version}, ' docker-compose)$(dpkg-query -W -f='docker-buildx ${Version}, ' docker-buildx)$(dpkg-query -W -f='containerd ${Version}' containerd)"
fi

# The machine may carry another docker client first in PATH (e.g. /usr/local/bin/docker);
# any client >= 23 works with engine 26 (API version is negotiated) and finds the Debian
# plugins in /usr/libexec/docker/cli-plugins.
plugins_ok || die "'docker compose' or 'docker buildx' does not work with client $(command -v docker)"

# --- start dockerd --------------------------------------------------------------------------
start_dockerd() { # [extra dockerd args...]
  local args=()
  # Match the bridge MTU to the uplink (here 1400): TLS through the proxy stalls otherwise.
  local dev mtu
  dev=$(ip route show default 2>/dev/null | awk '{for (i=1;i<NF;i++) if ($i=="dev") {print $(i+1); exit}}')
  mtu=$(cat "/sys/class/net/${dev:-none}/mtu" 2>/dev/null || echo 1500)
  if [ "$mtu" -lt 1500 ] && ! grep -qs '"mtu"' /etc/docker/daemon.json; then
    args+=(--mtu "$mtu")
  fi
  args+=("$@")
  printf '\n==== %s: dockerd %s\n' "$(date -Is)" "${args[*]}" >>"$DOCKERD_LOG"
  # setsid + nohup: dockerd must outlive this script and the CI step that ran it.
  setsid nohup dockerd "${args[@]}" >>"$DOCKERD_LOG" 2>&1 </dev/null &
  DOCKERD_PID=$!
}

wait_dockerd() { # timeout seconds
  local deadline=$((SECONDS + $1))
  while [ "$SECONDS" -lt "$deadline" ]; do
    docker_up && return 0
    kill -0 "$DOCKERD_PID" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

step_begin
if docker_up; then
  step_end dockerd "already running"
else
  if [ -f /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    die "dockerd (pid $(cat /var/run/docker.pid)) runs but does not answer; see $DOCKERD_LOG"
  fi
  # dockerd's default choice: the driver already used in /var/lib/docker, else overlay2
  # when the kernel supports it, else vfs.
  start_dockerd
  if ! wait_dockerd 60; then
    kill "$DOCKERD_PID" 2>/dev/null || true
    wait "$DOCKERD_PID" 2>/dev/null || true
    if grep -qs 'storage-driver' /etc/docker/daemon.json; then
      die "dockerd did not come up in 60 s; see $DOCKERD_LOG"
    fi
    printf '[%s] dockerd did not come up with the default storage driver; retrying with vfs\n' "$CI_TAG"
    start_dockerd --storage-driver vfs
    wait_dockerd 60 || die "dockerd did not come up in 60 s (vfs); see $DOCKERD_LOG"
  fi
  step_end dockerd "started pid $DOCKERD_PID, server $(docker version --format '{{.Server.Version}}'), driver $(docker info --format '{{.Driver}}'), log $DOCKERD_LOG"
fi

step_begin
step_end plugins "client $(docker version --format '{{.Client.Version}}') ($(command -v docker)), compose $(docker compose version --short), buildx $(docker buildx version | awk '{print $2}')"
