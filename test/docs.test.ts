// The docs against the code: every `npm run X` names a script, every `course` command and flag
// exists, the README's configuration table is the config's names and defaults, every example
// request answers what the docs show it answering, and every port is the stack's. Relative links
// are test/course-content.test.ts's.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { LOCAL_COSMOS_KEY } from "@course/cosmosdb";
import { loadConfig, THROUGHPUT_MODES, type ConfigSpec } from "@course/service-kit";
import { API, MICROSERVICES, STACK } from "@course/stack";
import { serve, startCosmos, testEnv, type Service } from "@course/testing";
import { program } from "../tools/course/src/program.ts";

const root = join(import.meta.dirname, "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const skip = new Set(["node_modules", ".git", "dist", ".course", "test-results"]);

/** Every Markdown file of the repository, as paths from the root. */
function markdownFiles(dir = ""): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    if (skip.has(entry.name)) return [];
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}
const docs = markdownFiles();

interface Code {
  file: string;
  text: string;
  /** A fenced block's language, or "inline". */
  kind: string;
  /** The table row the span is in, when it is in one. */
  row?: string;
}

/** What the Markdown shows as code: each line of a fenced block, and each inline span. */
function codeOf(file: string): Code[] {
  const text = read(file);
  const found: Code[] = [];
  const prose = text.replace(/^```(\w*)\n([\s\S]*?)^```/gm, (_all, kind: string, body: string) => {
    for (const line of body.split("\n")) found.push({ file, text: line, kind: kind || "text" });
    return "";
  });
  for (const line of prose.split("\n").filter((l) => l.startsWith("|")))
    for (const span of line.matchAll(/`([^`]+)`/g))
      found.push({ file, text: span[1] ?? "", kind: "inline", row: line });
  const paragraphs = prose
    .split("\n")
    .filter((l) => !l.startsWith("|"))
    .join("\n");
  for (const span of paragraphs.matchAll(/`([^`]+)`/g))
    found.push({ file, text: (span[1] ?? "").replace(/\s*\n\s*/g, " "), kind: "inline" });
  return found;
}
const code = docs.flatMap(codeOf);

const scriptsOf = (path: string) =>
  Object.keys((JSON.parse(read(path)) as { scripts: Record<string, string> }).scripts);

test("every `npm run X` names a script of the package the text is about", () => {
  const rootScripts = scriptsOf("package.json");
  const apiScripts = scriptsOf("api/package.json");
  // The API's README is about api/; exercises 1 to 4 and their answers build api/ in an image.
  const scripts = (file: string) =>
    file.startsWith("api/")
      ? apiScripts
      : /^(exercises|solutions)\/0[1-4]-/.test(file)
        ? [...rootScripts, ...apiScripts]
        : rootScripts;
  const unknown = code.flatMap(({ file, text }) =>
    [...text.matchAll(/\bnpm run(?: -s| --silent)? ([\w:-]+)/g)]
      .map((m) => m[1] ?? "")
      .filter((name) => !scripts(file).includes(name))
      .map((name) => `${file}: npm run ${name}`),
  );
  assert.deepEqual(unknown, []);
});

/** The words after `course` in a command line, up to a comment or the next command. */
function courseArguments({ file, text, row }: Code): string[] | undefined {
  const invoked = /(?:\bnpx course|\bnpm run(?: -s)? course --|^course)\s+(.*)$/.exec(text);
  // tools/course/README.md's table of commands names them without `course`.
  const listed =
    file === "tools/course/README.md" && row?.startsWith(`| \`${text}\``)
      ? /^((?:check|sizes|doctor|images|room)\b.*)$/.exec(text)
      : null;
  const rest = (invoked ?? listed)?.[1];
  if (rest === undefined) return undefined;
  return (
    rest
      .split(/\s(?:#|&&|\||;)/)[0]
      ?.trim()
      .split(/\s+/) ?? []
  );
}

type Command = typeof program;

const visibleOptions = (command: Command) =>
  command.options.filter((o) => !o.hidden).map((o) => o.long ?? o.short ?? "");

test("every `course` command and flag in the docs exists in the CLI", () => {
  const problems: string[] = [];
  let seen = 0;
  for (const item of code) {
    const words = courseArguments(item);
    if (!words?.[0] || words[0].startsWith("<")) continue;
    seen++;
    const where = `${item.file}: \`${item.text}\``;
    let command = program.commands.find((c) => c.name() === words[0]);
    let next = 1;
    const sub = words[1];
    if (command && command.commands.length > 0 && sub && !sub.startsWith("<")) {
      command = command.commands.find((c) => c.name() === sub);
      next = 2;
    }
    if (!command) {
      problems.push(`${where}: no such command`);
      continue;
    }
    const flags = words
      .slice(next)
      .map((w) => /^\[?(--?[a-zA-Z][\w-]*)/.exec(w)?.[1])
      .filter((f): f is string => f !== undefined);
    for (const flag of flags) {
      const known = ["--help", "-h", ...command.options.flatMap((o) => [o.long, o.short])];
      if (!known.includes(flag)) problems.push(`${where}: ${command.name()} has no ${flag}`);
    }
    if (item.row && item.file === "tools/course/README.md") {
      for (const option of visibleOptions(command))
        if (!flags.includes(option)) problems.push(`${where}: the synopsis lacks ${option}`);
    }
  }
  assert.ok(seen > 10, `found ${String(seen)} course command lines`);
  assert.deepEqual(problems, []);
});

/** The README's configuration table: each row's variables and its default as written. */
function configurationTable() {
  const section = /^## Configuration\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(read("README.md"))?.[1];
  assert.ok(section, "README.md has a Configuration section");
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      const [names = "", defaults = ""] = line.split("|").slice(1);
      return {
        names: [...names.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] ?? ""),
        defaults: defaults.trim(),
      };
    });
}

const services = await Promise.all(
  MICROSERVICES.map(async (service) => ({
    service,
    app: (await import(pathToFileURL(join(root, service.folder, "src/app.ts")).href)) as Service<
      ConfigSpec & { parents?: Record<string, string> }
    >,
  })),
);

/** The least environment a service starts with: the required values, nothing else. */
const required = (spec: ConfigSpec) => ({
  COSMOSDB_ENDPOINT_URL: "http://127.0.0.1:8081",
  COSMOSDB_MASTER_KEY: LOCAL_COSMOS_KEY,
  ...Object.fromEntries(Object.values(spec.parents ?? {}).map((v) => [v, "http://127.0.0.1:9"])),
});

test("the README's configuration table is the variables the services read, with their defaults", () => {
  const rows = configurationTable();
  const read = new Set<string>();
  // Each throughput mode reads the settings it uses: read them all.
  for (const { app } of services)
    for (const mode of THROUGHPUT_MODES) {
      const env = new Proxy(
        { ...required(app.configSpec), COSMOSDB_THROUGHPUT_MODE: mode },
        {
          get: (target, name) => {
            if (typeof name === "string") read.add(name);
            return (target as Record<string, string | undefined>)[name as string];
          },
        },
      );
      loadConfig(env, app.configSpec);
    }
  assert.deepEqual(rows.flatMap((r) => r.names).sort(), [...read].sort());

  for (const { names, defaults } of rows) {
    // "compose: …" is what compose.yaml passes; the services themselves have no default.
    if (defaults.startsWith("compose:")) continue;
    const values = defaults.split(/,\s*/);
    assert.equal(values.length, names.length, `one default per variable: ${names.join(", ")}`);
    names.forEach((name, i) => {
      const value = values[i] ?? "";
      const perService = value.split("/");
      for (const [index, { service, app }] of services.entries()) {
        const stated = perService.length > 1 ? perService[index] : value.replace(/^`|`$/g, "");
        const base = required(app.configSpec);
        assert.deepEqual(
          loadConfig({ ...base, [name]: stated }, app.configSpec),
          loadConfig(base, app.configSpec),
          `${name}'s default for ${service.name} is ${String(stated)}`,
        );
      }
    });
  }
});

test("every port the docs name is the stack's, for the service they name", () => {
  const ports = new Map<string, number>([
    [API.name, API.port],
    ...STACK.map((s) => [s.name, s.port] as const),
  ]);
  const known = new Set(ports.values());
  const problems: string[] = [];
  for (const file of docs) {
    for (const line of read(file).split("\n")) {
      for (const m of line.matchAll(/\b(127\.0\.0\.1|localhost|[a-z]+):(\d{4,5})\b/g)) {
        const [text, host = "", port = ""] = m;
        const stated = ports.get(host);
        if (stated !== undefined && Number(port) !== stated)
          problems.push(`${file}: ${text} (${host} listens on ${String(stated)})`);
        if (/^(127\.0\.0\.1|localhost)$/.test(host) && !known.has(Number(port)))
          problems.push(`${file}: ${text} is no port of the stack`);
      }
      // A table row that starts with a service's name, e.g. "| company | http://127.0.0.1:8001/docs |".
      const row = /^\|\s*`?([a-z]+)`?\s*\|/.exec(line)?.[1];
      const stated = row === undefined ? undefined : ports.get(row);
      if (stated !== undefined)
        for (const m of line.matchAll(/127\.0\.0\.1:(\d+)/g))
          if (Number(m[1]) !== stated) problems.push(`${file}: ${row} row names ${m[0]}`);
    }
  }
  assert.deepEqual(problems, []);
});

/** A shell command line split into words, with single and double quotes removed. */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)].map(
    (m) => m[1] ?? (m[2] === undefined ? (m[3] ?? "") : m[2].replace(/\\(.)/g, "$1")),
  );
}

interface Example {
  where: string;
  method: string;
  url: URL;
  body?: string;
  /** What the docs show it printing; `…` stands for anything. */
  output: string;
}

/** Each `$ curl` in a console block, with the lines it prints. */
function examples(file: string): Example[] {
  const found: Example[] = [];
  for (const block of read(file).matchAll(/^```console\n([\s\S]*?)^```/gm)) {
    const lines = (block[1] ?? "").split("\n");
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i] ?? "";
      if (!line.startsWith("$ curl ")) continue;
      while (line.endsWith("\\")) line = `${line.slice(0, -1)} ${(lines[++i] ?? "").trim()}`;
      const output: string[] = [];
      while (i + 1 < lines.length && !(lines[i + 1] ?? "").startsWith("$ "))
        output.push(lines[++i] ?? "");
      const args = words(line.slice(2));
      const option = (name: string) => {
        const at = args.indexOf(name);
        return at < 0 ? undefined : args[at + 1];
      };
      const url = args.find((a) => a.startsWith("http://"));
      assert.ok(url, `${file}: ${line} names a URL`);
      const body = option("-d");
      found.push({
        where: `${file}: ${line}`,
        method: option("-X") ?? (body ? "POST" : "GET"),
        url: new URL(url),
        ...(body ? { body } : {}),
        output: output.join("\n").trim(),
      });
    }
  }
  return found;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** The documented output as a pattern: `…` (and the spaces around it) stands for anything. */
const pattern = (output: string) =>
  new RegExp(
    `^${output
      .split(/\s*…\s*/)
      .map(escape)
      .join("[\\s\\S]*?")}$`,
  );

test("every example request answers what the docs show, on the port they name", async (t) => {
  const all = docs.flatMap(examples);
  assert.ok(all.length >= 4, `found ${String(all.length)} examples`);

  const cosmos = await startCosmos(t);
  const env = testEnv(cosmos.endpoint);
  const bases = new Map<number, string>();
  const parents: Record<string, string> = {};
  for (const { service, app } of services) {
    const parent = "parent" in service ? service.parent.name : undefined;
    const url = await serve(t, app, env, parent ? { [parent]: parents[parent] ?? "" } : undefined);
    parents[service.name] = url;
    bases.set(service.port, url);
  }
  // The sample API is a project of its own (api/), with its own Fastify.
  const apiRequire = createRequire(join(root, "api/package.json"));
  const { default: Fastify } = (await import(
    pathToFileURL(apiRequire.resolve("fastify")).href
  )) as { default: typeof import("fastify").default };
  const { default: apiPlugin } = (await import(
    pathToFileURL(join(root, "api/src/app.ts")).href
  )) as { default: import("fastify").FastifyPluginAsync };
  const api = Fastify();
  await api.register(apiPlugin);
  t.after(() => api.close());
  await api.listen({ port: 0, host: "127.0.0.1" });
  bases.set(API.port, `http://127.0.0.1:${String((api.server.address() as AddressInfo).port)}`);

  for (const example of all) {
    const base = bases.get(Number(example.url.port));
    assert.ok(base, `${example.where}: nothing of the stack listens on ${example.url.port}`);
    const response = await fetch(`${base}${example.url.pathname}${example.url.search}`, {
      method: example.method,
      ...(example.body
        ? { body: example.body, headers: { "content-type": "application/json" } }
        : {}),
    });
    const text = await response.text();
    assert.match(text, pattern(example.output), example.where);
  }
});
