import { docker, errorMessage } from "./engine.ts";

// `docker pull` through the engine's API, with its progress as one line per event.

interface PullEvent {
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
}

export async function pull(image: string, onLine?: (line: string) => void): Promise<void> {
  const stream = await docker.pull(image);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: PullEvent[]) => {
        const failed = events.find((e) => e.error !== undefined);
        if (error) reject(error);
        else if (failed?.error) reject(new Error(failed.error));
        else resolve();
      },
      (event: PullEvent) => {
        onLine?.([event.id, event.status, event.progress].filter(Boolean).join(" "));
      },
    );
  });
}

export async function imageExists(reference: string): Promise<boolean> {
  try {
    await docker.getImage(reference).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw new Error(errorMessage(error));
  }
}
