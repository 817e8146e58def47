// The floor of a service that must call its database: a bare Fastify route that forwards the same
// point read as GET /companies/{id} to the same database through the @azure/cosmos SDK (its own
// keep-alive agent), with no validation, no logging and no response schema. Bundled and run by
// tools/bench/side.ts in a container with the company service's limits, on the stack's network.
import { CosmosClient } from "@azure/cosmos";
import Fastify from "fastify";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const client = new CosmosClient({
  endpoint: env("COSMOSDB_ENDPOINT_URL"),
  key: env("COSMOSDB_MASTER_KEY"),
  connectionPolicy: { enableEndpointDiscovery: false },
});
const companies = client.database(process.env.COSMOSDB_DATABASE ?? "course").container("companies");
const app = Fastify({ logger: false });
app.get<{ Params: { id: string } }>("/companies/:id", async (request) => {
  const { resource } = await companies.item(request.params.id, request.params.id).read<object>();
  return resource;
});
void app.listen({ port: Number(process.env.PORT ?? 8080), host: "0.0.0.0" }).then((address) => {
  console.log(address);
});
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
