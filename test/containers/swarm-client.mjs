// Runs inside a container attached to the stack's overlay network (plain Node, no dependencies),
// because on a swarm whose services use DNS round-robin that is where their names resolve.
//   node swarm-client.mjs load <url> <connections> <max seconds>
//     GETs the URL from <connections> loops until SIGTERM or the deadline, a fresh connection and
//     a fresh DNS lookup each time (as a client of a rolling service meets it), then prints
//     {"ok":…,"failed":…,"errors":{…}} on one line. Bounded: each request has 3 s, the run <max s>.
//   node swarm-client.mjs tasks <name> <port> <path>
//     resolves tasks.<name> (every task's address) and prints {"<address>": <status>, …}.
import { lookup } from "node:dns/promises";
import http from "node:http";

function get(url) {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: 3000 }, (response) => {
      response.resume();
      response.on("end", () => resolve(String(response.statusCode)));
      response.on("error", (error) => resolve(error.code ?? error.message));
    });
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", (error) => resolve(error.code ?? error.message));
  });
}

async function load(url, connections, maxSeconds) {
  let stopping = false;
  const stop = () => (stopping = true);
  process.once("SIGTERM", stop);
  const deadline = setTimeout(stop, maxSeconds * 1000);
  const counts = { ok: 0, failed: 0, errors: {} };
  const loop = async () => {
    while (!stopping) {
      const outcome = await get(url);
      if (outcome === "200") counts.ok += 1;
      else {
        counts.failed += 1;
        counts.errors[outcome] = (counts.errors[outcome] ?? 0) + 1;
      }
    }
  };
  console.error("load started");
  await Promise.all(Array.from({ length: connections }, loop));
  clearTimeout(deadline);
  console.log(JSON.stringify(counts));
}

async function tasks(name, port, path) {
  const addresses = await lookup(`tasks.${name}`, { all: true });
  const statuses = {};
  for (const { address } of addresses)
    statuses[address] = await get(`http://${address}:${port}${path}`);
  console.log(JSON.stringify(statuses));
}

const [mode, ...args] = process.argv.slice(2);
if (mode === "load") await load(args[0], Number(args[1]), Number(args[2]));
else if (mode === "tasks") await tasks(args[0], args[1], args[2]);
else throw new Error(`unknown mode ${String(mode)}`);
