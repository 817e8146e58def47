import { createServer } from "node:net";
import { docker } from "./docker.ts";

// Which of the ports a stack publishes on 127.0.0.1 are taken, and by which container.

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => {
      resolve(false);
    });
    server.listen(port, "127.0.0.1", () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

export interface BusyPort {
  port: number;
  /** The container that publishes it, when one does. */
  holder?: string;
  /** The compose project that container belongs to. */
  project?: string;
}

/** The ports in use on 127.0.0.1, with the container that publishes each, when one does. */
export async function busyPorts(ports: number[]): Promise<BusyPort[]> {
  const busy: number[] = [];
  for (const port of ports) if (!(await portFree(port))) busy.push(port);
  if (busy.length === 0) return [];
  const containers = await docker.listContainers().catch(() => []);
  return busy.map((port) => {
    const holder = containers.find((c) => c.Ports.some((p) => p.PublicPort === port));
    const name = holder?.Names[0]?.replace(/^\//, "") ?? holder?.Id.slice(0, 12);
    const project = holder?.Labels["com.docker.compose.project"];
    return { port, ...(name ? { holder: name } : {}), ...(project ? { project } : {}) };
  });
}

export const describeBusy = (busy: BusyPort[]) =>
  busy.map((b) => `${String(b.port)}${b.holder ? ` (container ${b.holder})` : ""}`).join(", ");

/** The commands that free the ports: the compose projects taken down, other containers stopped. */
export function freeingCommands(busy: BusyPort[]): string[] {
  const projects = [...new Set(busy.flatMap((b) => (b.project ? [b.project] : [])))];
  const loose = [...new Set(busy.flatMap((b) => (b.holder && !b.project ? [b.holder] : [])))];
  return [
    ...projects.map((p) => `docker compose -p ${p} down`),
    ...(loose.length ? [`docker stop ${loose.join(" ")}`] : []),
  ];
}
