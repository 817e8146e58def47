import { join } from "node:path";
import { stateDir } from "../../lib/paths.ts";

/** Where `course room start` keeps the room's data unless --data says: .course/room (git ignores it). */
export const roomDataDir = () => join(stateDir(), "room");
