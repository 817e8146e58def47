// The framework's ceiling on this machine: a bare Fastify route answering the same JSON as
// GET /companies/northwind, from memory, with no database. Run by tools/bench/steps.ts, which
// reads the address from the first line printed.
import Fastify from "fastify";
import { companies } from "@course/data";

const company = companies.find((c) => c.id === "northwind");
const app = Fastify({ logger: false });
app.get("/companies/northwind", () => company);
const address = await app.listen({ port: 0, host: "127.0.0.1" });
console.log(address);
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
