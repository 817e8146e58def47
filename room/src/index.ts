// What the course CLI uses: the API contract; the server's entry follows.
export * from "./contract.ts";
