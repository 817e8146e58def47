// The container's HEALTHCHECK: asks this service's /readyz. A minimal image has no curl or wget,
// and it does not need one: Node is there. Exit 0 when ready, 1 otherwise.
const port = process.env.PORT ?? "8000";
fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
