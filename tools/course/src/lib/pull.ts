import { docker } from "./docker.ts";

// `docker pull` through the engine's API, with its progress as one line per event.

interface PullEvent {
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
}

export async function pull(
  image: string,
  onLine?: (line: string) => void,
  platform?: string,
): Promise<void> {
  const stream = await docker.pull(image, platform ? { platform } : {});
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
