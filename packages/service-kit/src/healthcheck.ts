// The container's HEALTHCHECK: `node healthcheck.cjs <port> [path]` asks this container's service
// (default path /readyz). A minimal image has no curl or wget, and needs none: Node is there.
// Exit 0 when the answer is 2xx, 1 otherwise. PORT, when set, wins over the argument, as it does
// for the service itself.
const port = process.env.PORT ?? process.argv[2] ?? "8000";
const path = process.argv[3] ?? "/readyz";
fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
