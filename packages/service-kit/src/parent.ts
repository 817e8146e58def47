import { notFound, unavailable } from "./problems.ts";

// A child is created only under a parent that exists, and only the parent's own service knows.
// This asks it over HTTP, with a deadline: "no such parent" is the caller's 404, while a parent
// service that is down, slow or failing is a 503 the caller can retry.

export interface ParentServiceOptions {
  /** What the parent is called in messages, e.g. "company". */
  noun: string;
  baseUrl: string;
  timeoutMs?: number;
}

export function createParentService({ noun, baseUrl, timeoutMs = 2000 }: ParentServiceOptions) {
  const service = `The ${noun} service`;
  return {
    /** Resolves when `path` (e.g. /companies/acme) exists at the parent service. */
    async assertExists(path: string, description: string): Promise<void> {
      let response: Response;
      try {
        response = await fetch(new URL(path, `${baseUrl}/`), {
          headers: { accept: "application/json" },
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body?.cancel();
      } catch (error) {
        const why =
          error instanceof Error && error.name === "TimeoutError"
            ? `did not answer within ${timeoutMs} ms`
            : "is not reachable";
        throw unavailable(
          `${service} ${why}; ${description} cannot be checked. Try again shortly.`,
        );
      }
      if (response.status === 404) throw notFound(`${description} does not exist.`);
      if (!response.ok) {
        throw unavailable(
          `${service} answered ${response.status}; ${description} cannot be checked. Try again shortly.`,
        );
      }
    },
  };
}

export type ParentService = ReturnType<typeof createParentService>;
