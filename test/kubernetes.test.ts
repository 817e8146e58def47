import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { ConfigMap, Secret, Service } from "kubernetes-models/v1";
import { parse, parseAllDocuments } from "yaml";
import { COMPOSE_FILES, DATABASE, MICROSERVICES, STACK } from "@course/stack";

// deploy/kubernetes, validated (no cluster runs here): each overlay rendered, every object checked
// against the Kubernetes API schemas (kubernetes-models), every pod against the "restricted" Pod
// Security Standard, and images, ports, probes, settings and the key against the stack registry
// and compose. The overlays use a small part of kustomize (resources, components, generators),
// which render() reads; where kubectl is on PATH, `kubectl kustomize` must render the same.

const root = join(import.meta.dirname, "..");
const deploy = join(root, "deploy/kubernetes");
const read = (path: string) => readFileSync(path, "utf8");

type Manifest = { apiVersion: string; kind: string; metadata: { name: string } } & Record<
  string,
  unknown
>;
interface Generator {
  name: string;
  behavior?: "create" | "merge" | "replace";
  literals?: string[];
  files?: string[];
}
interface Kustomization {
  resources?: string[];
  components?: string[];
  configMapGenerator?: Generator[];
  secretGenerator?: Generator[];
  generatorOptions?: { disableNameSuffixHash?: boolean };
}
const KNOWN = new Set(["apiVersion", "kind", "resources", "components", "generatorOptions"]);
KNOWN.add("configMapGenerator").add("secretGenerator");

function generated(dir: string, kind: "ConfigMap" | "Secret", generator: Generator): Manifest {
  const pairs = [
    ...(generator.literals ?? []).map((l) => l.split(/=(.*)/s).slice(0, 2)),
    ...(generator.files ?? []).map((f) => {
      const [key = "", file = key] = f.split("=");
      const content = read(join(dir, file));
      return [key, kind === "Secret" ? Buffer.from(content).toString("base64") : content];
    }),
  ];
  const data = Object.fromEntries(pairs) as Record<string, string>;
  const base = { apiVersion: "v1", kind, metadata: { name: generator.name }, data };
  return kind === "Secret" ? { ...base, type: "Opaque" } : base;
}

/** The objects a kustomization makes, for the subset of kustomize these overlays use. */
function render(dir: string): Manifest[] {
  const kustomization = parse(read(join(dir, "kustomization.yaml"))) as Kustomization;
  for (const key of Object.keys(kustomization))
    assert.ok(KNOWN.has(key), `${dir}: ${key} is beyond what this test renders`);
  assert.equal(kustomization.generatorOptions?.disableNameSuffixHash ?? true, true);
  const objects: Manifest[] = [];
  for (const entry of [...(kustomization.resources ?? []), ...(kustomization.components ?? [])]) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) objects.push(...render(path));
    else objects.push(...parseAllDocuments(read(path)).map((d) => d.toJSON() as Manifest));
  }
  const generators = [
    ...(kustomization.configMapGenerator ?? []).map((g) => ["ConfigMap", g] as const),
    ...(kustomization.secretGenerator ?? []).map((g) => ["Secret", g] as const),
  ];
  for (const [kind, generator] of generators) {
    const made = generated(dir, kind, generator);
    const at = objects.findIndex((o) => o.kind === kind && o.metadata.name === generator.name);
    if ((generator.behavior ?? "create") === "create") {
      assert.equal(at, -1, `${kind} ${generator.name} made twice`);
      objects.push(made);
    } else {
      const existing = objects[at];
      assert.ok(existing, `${kind} ${generator.name} to ${String(generator.behavior)}`);
      if (generator.behavior === "merge")
        made.data = { ...(existing.data as object), ...(made.data as object) };
      objects[at] = made;
    }
  }
  return objects;
}

const byKindAndName = (objects: Manifest[]) =>
  [...objects].sort((a, b) =>
    `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`),
  );

// The Azure overlay needs a key file that is never committed: render a copy with a stand-in.
const copy = mkdtempSync(join(tmpdir(), "course-kubernetes-"));
process.on("exit", () => {
  rmSync(copy, { recursive: true, force: true });
});
cpSync(deploy, copy, { recursive: true });
writeFileSync(join(copy, "overlays/azure/cosmosdb-master-key"), "a-stand-in-for-the-account-key");
const OVERLAYS = {
  local: render(join(copy, "overlays/local")),
  azure: render(join(copy, "overlays/azure")),
};

const hasKubectl = (() => {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

test(
  "kubectl kustomize renders each overlay as this test reads it",
  { skip: !hasKubectl && "no kubectl on PATH" },
  () => {
    for (const [name, objects] of Object.entries(OVERLAYS)) {
      const output = execFileSync("kubectl", ["kustomize", join(copy, "overlays", name)], {
        encoding: "utf8",
      });
      const rendered = parseAllDocuments(output).map((d) => d.toJSON() as Manifest);
      // kustomize wraps long base64 values; the whitespace means nothing in base64.
      for (const secret of rendered.filter((o) => o.kind === "Secret"))
        secret.data = Object.fromEntries(
          Object.entries(secret.data as Record<string, string>).map(([k, v]) => [
            k,
            v.replace(/\s/g, ""),
          ]),
        );
      assert.deepEqual(byKindAndName(rendered), byKindAndName(objects), name);
    }
  },
);

const MODELS: Record<string, new (object: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "v1/Service": Service,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
};

interface Container {
  name: string;
  image: string;
  ports: { containerPort: number }[];
  env?: { name: string; value: string }[];
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  resources: { requests?: object; limits?: object };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    runAsNonRoot?: boolean;
    runAsUser?: number;
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seccompProfile?: { type: string };
  };
  containers: Container[];
  volumes?: { name: string; emptyDir?: object }[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
}
const podOf = (o: Manifest) => (o.spec as { template: { spec: PodSpec } }).template.spec;

for (const [overlay, objects] of Object.entries(OVERLAYS)) {
  const deployments = objects.filter((o) => o.kind === "Deployment");
  const named = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name);

  test(`${overlay}: every object is valid against the Kubernetes API schemas`, () => {
    for (const object of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      assert.ok(Model, `${object.kind} ${object.metadata.name}: a kind this test knows`);
      assert.doesNotThrow(() => {
        new Model(object as never).validate();
      }, object.metadata.name);
    }
  });

  test(`${overlay}: every pod meets the "restricted" Pod Security Standard`, () => {
    for (const deployment of deployments) {
      const pod = podOf(deployment);
      const name = deployment.metadata.name;
      assert.ok(!pod.hostNetwork && !pod.hostPID && !pod.hostIPC, `${name}: no host namespaces`);
      const podContext = pod.securityContext ?? {};
      assert.equal(podContext.seccompProfile?.type, "RuntimeDefault", name);
      for (const c of pod.containers) {
        const context = c.securityContext ?? {};
        const nonRoot = context.runAsNonRoot ?? podContext.runAsNonRoot;
        const user = context.runAsUser ?? podContext.runAsUser;
        assert.equal(nonRoot, true, `${name}: runAsNonRoot`);
        assert.ok(typeof user === "number" && user > 0, `${name}: a numeric user, not root`);
        assert.equal(context.allowPrivilegeEscalation, false, name);
        assert.equal(context.readOnlyRootFilesystem, true, name);
        const capabilities = context.capabilities ?? {};
        assert.deepEqual(capabilities.drop, ["ALL"], name);
        assert.equal(capabilities.add, undefined, name);
        const tmp = c.volumeMounts?.find((m) => m.mountPath === "/tmp");
        const volume = pod.volumes?.find((v) => v.name === tmp?.name);
        assert.ok(volume?.emptyDir, `${name}: /tmp is an emptyDir`);
        assert.ok(c.resources.requests && c.resources.limits, `${name}: requests and limits`);
      }
    }
  });

  test(`${overlay}: images, ports, probes and settings agree with the stack and compose`, () => {
    const compose = parse(read(join(root, COMPOSE_FILES.course)), { merge: true }) as {
      services: Record<string, { image: string; environment: Record<string, string> }>;
      "x-service": { stop_grace_period: string };
    };
    const employee = parse(read(join(root, COMPOSE_FILES.withEmployee)), {
      merge: true,
    }) as typeof compose;
    const composed = { ...compose.services, ...employee.services };
    const expected = overlay === "local" ? STACK : MICROSERVICES;
    assert.deepEqual(
      deployments.map((d) => d.metadata.name).sort(),
      expected.map((s) => s.name).sort(),
    );
    for (const service of expected) {
      const deployment = named("Deployment", service.name);
      assert.ok(deployment, service.name);
      const pod = podOf(deployment);
      const [container] = pod.containers;
      assert.ok(container);
      assert.equal(
        container.image,
        composed[service.name]?.image,
        `${service.name}: compose's image`,
      );
      assert.deepEqual(
        container.ports.map((p) => p.containerPort),
        [service.port],
      );
      const ports = (named("Service", service.name)?.spec as { ports: { port: number }[] }).ports;
      assert.deepEqual(
        ports.map((p) => p.port),
        [service.port],
        `${service.name} Service port`,
      );
      const isDatabase = service.name === DATABASE.name;
      assert.equal(container.livenessProbe.httpGet.path, isDatabase ? "/" : "/healthz");
      assert.equal(container.readinessProbe.httpGet.path, isDatabase ? "/" : "/readyz");
      assert.ok(
        (pod.terminationGracePeriodSeconds ?? 30) <=
          Number.parseInt(compose["x-service"].stop_grace_period),
      );
      const parent = "parent" in service ? service.parent : undefined;
      if (parent) {
        const variable = container.env?.find((e) => e.name === parent.variable);
        assert.equal(variable?.value, composed[service.name]?.environment[parent.variable]);
      }
      if (!isDatabase) assert.ok(named("PodDisruptionBudget", service.name), `${service.name} PDB`);
    }
    // The settings are compose's, with compose's defaults; Azure changes the endpoint only.
    const settings = named("ConfigMap", "settings")?.data as Record<string, string>;
    const environment = composed.company?.environment ?? {};
    for (const [key, value] of Object.entries(settings)) {
      const fallback = /:-([^}]*)\}/.exec(environment[key] ?? "")?.[1];
      if (overlay === "azure" && key === "COSMOSDB_ENDPOINT_URL")
        assert.match(value, /^https:\/\/.+\.documents\.azure\.com/);
      else assert.equal(value, fallback, `${key}: compose's default`);
    }
    const key =
      (named("Secret", "cosmosdb-master-key")?.data as Record<string, string>)
        .cosmosdb_master_key ?? "";
    const local = read(join(root, "infra/cosmosdb/local-master-key"));
    assert.equal(Buffer.from(key, "base64").toString() === local, overlay === "local");
  });
}

test("the Azure key file is ignored by git, and the base's key is the local server's", () => {
  assert.match(read(join(deploy, "overlays/azure/.gitignore")), /^cosmosdb-master-key$/m);
  assert.equal(existsSync(join(deploy, "overlays/azure/cosmosdb-master-key")), false);
  assert.equal(
    read(join(deploy, "base/cosmosdb-master-key")),
    read(join(root, "infra/cosmosdb/local-master-key")),
  );
});
