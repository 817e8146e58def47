import { networkInterfaces } from "node:os";
import { resolve } from "node:path";
import { startRoom, TRAINER_KEY_PARAM } from "@course/room";
import { CouldNotCheck, errorMessage } from "../../lib/errors.ts";
import { shown, userCwd } from "../../lib/paths.ts";
import { bold, dim } from "../../lib/ui.ts";
import { roomDataDir } from "./data.ts";

// `course room start`: the room server on the trainer's laptop. It prints what to write on the
// board (the join command, with the laptop's address on each network it is on, and the room's
// code) and the trainer's page with its key, then serves until Ctrl-C.

const WILDCARDS = new Set(["0.0.0.0", "::", ""]);

/** Bridges to containers and VMs on this laptop: no other laptop reaches it through them. */
const VIRTUAL = /^(docker\d|br-|veth|virbr|cni|flannel|vmnet|vboxnet|vEthernet)/;

/** host:port as a URL's host part (IPv6 in brackets). */
const hostPort = (host: string, port: number) =>
  `${host.includes(":") ? `[${host}]` : host}:${String(port)}`;

/** The addresses trainees can reach: every interface's, or the one --host names. */
export function boardAddresses(host: string, port: number): string[] {
  if (!WILDCARDS.has(host)) return [hostPort(host, port)];
  const addresses: string[] = [];
  for (const [name, entries] of Object.entries(networkInterfaces())) {
    if (VIRTUAL.test(name)) continue;
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      // Link-local IPv6 needs a zone id that differs on every laptop: useless on a board.
      if (entry.family === "IPv6" && (host !== "::" || entry.address.startsWith("fe80:"))) continue;
      addresses.push(hostPort(entry.address, port));
    }
  }
  return addresses;
}

export const joinLine = (address: string, code: string) =>
  `npx course room join ${address} --code ${code} --name "<your name>"`;

export async function start(options: {
  port: number;
  host: string;
  data?: string;
  images: string[];
}): Promise<number> {
  const dataDir = options.data ? resolve(userCwd, options.data) : roomDataDir();
  const images = options.images.map((path) => resolve(userCwd, path));
  let room: Awaited<ReturnType<typeof startRoom>>;
  try {
    room = await startRoom({
      port: options.port,
      host: options.host,
      dataDir,
      images,
      logLevel: "warn",
      progress: (line) => {
        console.log(dim(line));
      },
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EADDRINUSE")
      throw new CouldNotCheck(
        `port ${String(options.port)} is taken: another room is running, or choose one with --port.`,
      );
    throw new CouldNotCheck(errorMessage(error));
  }

  const addresses = boardAddresses(options.host, room.port);
  const local = WILDCARDS.has(options.host) ? hostPort("127.0.0.1", room.port) : addresses[0];
  console.log("");
  if (addresses.length === 0) {
    console.log(
      "This laptop is on no network: trainees cannot reach the room. Join the classroom's network and start again.",
    );
  } else {
    console.log(bold("Write on the board:"));
    console.log("");
    console.log(`  ${joinLine(addresses[0] ?? "", room.code)}`);
    if (addresses.length > 1) {
      console.log("");
      console.log(dim("  (from another network this laptop is on, use one of these addresses:"));
      console.log(dim(`   ${addresses.slice(1).join("  ")})`));
    }
  }
  if (room.archives.length)
    console.log(
      `\nClass images for \`npx course images load ${addresses[0] ?? local ?? ""}\`: ${room.archives.map((a) => a.name).join(", ")}`,
    );
  console.log("");
  console.log(
    `${bold("Your page")} (keep the key to yourself): http://${local ?? ""}/?${TRAINER_KEY_PARAM}=${room.trainerKey}`,
  );
  console.log(dim(`Data: ${shown(dataDir)}  ·  Ctrl-C stops the room.`));
  const signal = await new Promise<NodeJS.Signals>((stop) => {
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  console.log(`\n${signal}: stopping the room; its data stays in ${shown(dataDir)}.`);
  await room.close();
  return 0;
}
