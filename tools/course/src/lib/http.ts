import { errorMessage } from "./errors.ts";

// HTTP to containers through their published ports, with deadlines that cannot be forgotten.

/**
 * fetch with a time limit whose timer keeps the process alive (AbortSignal.timeout's does not,
 * and a request to a port whose container just died can otherwise leave nothing to wait on).
 */
export async function fetchWithin(url: string, ms: number, init: RequestInit = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new Error(`no answer within ${String(ms / 1000)} s`));
  }, ms);
  try {
    const response = await fetch(url, { ...init, signal: controller.signal });
    const body = await response.text();
    return { response, body };
  } finally {
    clearTimeout(timer);
  }
}

/** Why a request got no answer, in the words of the network (ECONNREFUSED) when it has them. */
export function networkError(error: unknown): string {
  return (error as { cause?: { code?: string } }).cause?.code ?? errorMessage(error);
}
