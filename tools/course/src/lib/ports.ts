import { createServer } from "node:net";
import { docker } from "./docker.ts";

// Which of the ports a stack publishes on 127.0.0.1 are taken, and by which container.

/** Whether the port can be listened on; EACCES (a reserved range on Windows) is not "in use". */
function portState(port: number): Promise<"free" | BusyPort["reason"]> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      resolve(error.code === "EACCES" ? "forbidden" : "in-use");
    });
    server.listen(port, "127.0.0.1", () => {
      server.close(() => {
        resolve("free");
      });
    });
  });
}

export interface BusyPort {
  port: number;
  /** in-use: something listens there; forbidden: listening is refused (EACCES). */
  reason: "in-use" | "forbidden";
  /** The container that publishes it, when one does. */
  holder?: string;
  /** The compose project that container belongs to. */
  project?: string;
}

/** The ports in use on 127.0.0.1, with the container that publishes each, when one does. */
export async function busyPorts(ports: readonly number[]): Promise<BusyPort[]> {
  const busy: { port: number; reason: BusyPort["reason"] }[] = [];
  for (const port of ports) {
    const state = await portState(port);
    if (state !== "free") busy.push({ port, reason: state });
  }
  if (busy.length === 0) return [];
  const containers = await docker.listContainers().catch(() => []);
  return busy.map(({ port, reason }) => {
    const holder = containers.find((c) => c.Ports.some((p) => p.PublicPort === port));
    const name = holder?.Names[0]?.replace(/^\//, "") ?? holder?.Id.slice(0, 12);
    const project = holder?.Labels["com.docker.compose.project"];
    return { port, reason, ...(name ? { holder: name } : {}), ...(project ? { project } : {}) };
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
