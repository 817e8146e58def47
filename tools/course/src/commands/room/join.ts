import { CouldNotCheck } from "../../lib/errors.ts";
import { joinedRoom, joinRoom, leaveRoom, queued } from "../../lib/room-client.ts";
import { dim, green } from "../../lib/ui.ts";

// `course room join|leave`: the trainee's side. Joining stores the room's address and this
// trainee's token in the user's config folder; from then on `course check` and `course doctor`
// send their reports there.

export async function join(address: string, options: { code: string; name: string }) {
  const name = options.name.trim();
  if (name.length === 0)
    throw new CouldNotCheck("--name needs your name, as the trainer will see it.");
  const room = await joinRoom(address, options.code.trim(), name);
  console.log(green(`Joined the room at ${room.address} as ${name}.`));
  console.log(
    dim(
      "From now on `course check` and `course doctor` send their results there (their verdicts and findings only, never your files); --no-room skips it.",
    ),
  );
  return 0;
}

export async function leave() {
  const room = await joinedRoom();
  const waiting = (await queued()).length;
  if (!(await leaveRoom())) {
    console.log("No room joined: nothing to forget.");
    return 0;
  }
  const unsent = waiting ? ` and ${String(waiting)} unsent report${waiting === 1 ? "" : "s"}` : "";
  console.log(`Left the room at ${room?.address ?? "?"}: forgot its token${unsent}.`);
  return 0;
}
