// The two kinds of trouble a command reports: "could not check at all" (exit status 2) and the
// message of any other error, as a person should read it.

/** The command could not check anything (no engine, no Dockerfile): exit status 2. */
export class CouldNotCheck extends Error {
  override name = "CouldNotCheck";
}

/** An error's message; the Docker Engine API's own message when it sent one. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const { json } = error as Error & { json?: { message?: string } };
    return json?.message ?? error.message;
  }
  return String(error);
}
