import assert from "node:assert/strict";
import { test } from "node:test";
import {
  archFinding,
  engineFinding,
  type EngineAnswer,
  hubFinding,
  imagesFinding,
  type Laptop,
  laptopOf,
  portsFinding,
} from "../src/commands/doctor/findings.ts";

// `course doctor`'s conclusions on recorded engine answers, one laptop at a time: no engine needed.

const linux: Laptop = { platform: "linux", wsl: false };
const windows: Laptop = { platform: "win32", wsl: false };
const wsl: Laptop = { platform: "linux", wsl: true };
const mac: Laptop = { platform: "darwin", wsl: false };

// `docker version` / `docker info` (Engine API) as Docker Desktop 4.36 on Windows answers them.
const desktop: EngineAnswer = {
  address: "npipe:////./pipe/docker_engine",
  version: { Version: "27.3.1", ApiVersion: "1.47", Os: "linux", Arch: "amd64" },
  info: { Architecture: "x86_64", DockerRootDir: "/var/lib/docker", OSType: "linux" },
};

test("a current engine running Linux containers is ready, and the address is named", () => {
  const finding = engineFinding(desktop, windows);
  assert.equal(finding.status, "ok");
  assert.match(finding.detail, /27\.3\.1.*linux\/amd64.*pipe\/docker_engine/);
});

test("Windows containers mode fails with the switch to Linux containers", () => {
  const finding = engineFinding(
    {
      ...desktop,
      version: { Version: "27.3.1", ApiVersion: "1.47", Os: "windows", Arch: "amd64" },
      info: { Architecture: "x86_64", DockerRootDir: "C:\\ProgramData\\Docker", OSType: "windows" },
    },
    windows,
  );
  assert.equal(finding.status, "fail");
  assert.match(finding.detail, /windows containers/);
  assert.match(finding.advice ?? "", /Switch to Linux containers/);
});

test("Engine 24 (Docker Desktop before 4.27) fails: compose.yaml's start_interval needs 25", () => {
  const finding = engineFinding(
    { ...desktop, version: { Version: "24.0.7", ApiVersion: "1.43", Os: "linux", Arch: "arm64" } },
    mac,
  );
  assert.equal(finding.status, "fail");
  assert.match(finding.detail, /start_interval needs Engine 25/);
});

test("no engine: the advice is the laptop's own", () => {
  const denied = "connect EACCES /var/run/docker.sock";
  const linuxDenied = engineFinding(
    { address: "unix:///var/run/docker.sock", error: denied },
    linux,
  );
  assert.match(linuxDenied.detail, /unix:\/\/\/var\/run\/docker\.sock/);
  assert.match(linuxDenied.advice ?? "", /docker group/);
  const pipe = "connect EPERM //./pipe/docker_engine";
  assert.match(
    engineFinding({ address: "npipe:////./pipe/docker_engine", error: pipe }, windows).advice ?? "",
    /docker-users/,
  );
  const missing = "connect ENOENT /var/run/docker.sock";
  assert.match(
    engineFinding({ address: "unix:///var/run/docker.sock", error: missing }, wsl).advice ?? "",
    /WSL integration/,
  );
  const colima = engineFinding(
    { address: "unix:///Users/ada/.docker/run/docker.sock", error: "connect ENOENT" },
    {
      ...mac,
      context: { name: "colima", endpoint: "unix:///Users/ada/.colima/default/docker.sock" },
    },
  );
  assert.match(
    colima.advice ?? "",
    /context "colima".*DOCKER_HOST=unix:\/\/\/Users\/ada\/\.colima/,
  );
});

test("WSL is told apart from Linux", () => {
  assert.equal(laptopOf({ WSL_DISTRO_NAME: "Ubuntu" }, "linux", "5.15.0").wsl, true);
  assert.equal(laptopOf({}, "linux", "5.15.167.4-microsoft-standard-WSL2").wsl, true);
  assert.equal(laptopOf({}, "linux", "6.1.0-28-amd64").wsl, false);
});

test("an excluded port range (EACCES) is not a port in use", () => {
  const finding = portsFinding(
    [8000, 8001],
    [
      { port: 8001, reason: "forbidden" },
      { port: 8000, reason: "in-use" },
    ],
    windows,
  );
  assert.equal(finding.status, "fail");
  assert.match(finding.detail, /in use: 8000.*not allowed to listen \(EACCES\): 8001/);
  assert.match(finding.advice ?? "", /netsh int ipv4 show excludedportrange protocol=tcp/);
  assert.match(finding.advice ?? "", /netstat -ano/);
  assert.equal(portsFinding([8000], [], linux).status, "ok");
});

test("architecture: amd64 and arm64 pass, from the engine or else this machine; others fail", () => {
  const address = "unix:///var/run/docker.sock";
  const answered = (Architecture: string): EngineAnswer => ({
    address,
    info: { Architecture, DockerRootDir: "/var/lib/docker" },
  });
  assert.equal(archFinding(answered("x86_64"), "arm64").status, "ok");
  assert.match(archFinding(answered("aarch64"), "x64").detail, /^arm64 on the engine/);
  assert.match(
    archFinding({ address }, "arm64").detail,
    /this machine \(the engine did not answer\)/,
  );
  const other = archFinding(answered("s390x"), "x64");
  assert.equal(other.status, "fail");
  assert.match(other.advice ?? "", /amd64 and arm64 only/);
});

test("Docker Hub: too few pulls left fails with what to do; unreachable is skipped", () => {
  assert.equal(hubFinding({ reachable: true, left: 100, detail: "100 left" }).status, "ok");
  const low = hubFinding({ reachable: true, left: 3, detail: "3 left" });
  assert.equal(low.status, "fail");
  assert.match(low.advice ?? "", /images load/);
  assert.equal(hubFinding({ reachable: false, detail: "skipped" }).status, "skip");
});

test("class images: missing ones pass only when Docker Hub can bring them", () => {
  const images = {
    present: ["course-test/present:1"],
    missing: ["node:24-alpine", "gcr.io/distroless/x"],
  };
  const enough = imagesFinding(images, { reachable: true, left: 1, detail: "" });
  assert.equal(enough.status, "ok", "gcr.io pulls do not count against Docker Hub's limit");
  const short = imagesFinding(images, { reachable: true, left: 0, detail: "" });
  assert.equal(short.status, "fail");
  assert.match(short.detail, /1 needed/);
  const offline = imagesFinding(images, { reachable: false, offline: true, detail: "" });
  assert.match(offline.advice ?? "", /npx course images load <archive>/);
  assert.equal(imagesFinding(undefined, { reachable: true, detail: "" }).status, "skip");
});
