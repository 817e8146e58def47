// The framework's ceiling on this machine: a bare Fastify route answering the same JSON as the
// company service's GET of the sample company, from memory, with no database. Run by tools/bench/steps.ts, which
// reads the address from the first line printed.
import Fastify from "fastify";
import { companies } from "@course/data";
import { COMPANY_PATH, SAMPLE } from "./common.ts";

const company = companies.find((c) => c.id === SAMPLE.companyId);
const app = Fastify({ logger: false });
app.get(COMPANY_PATH, () => company);
const address = await app.listen({ port: 0, host: "127.0.0.1" });
console.log(address);
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
