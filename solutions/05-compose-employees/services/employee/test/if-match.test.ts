// Replace and delete are conditioned on the ETag of the employee just found in the URL's
// department, whatever If-Match says: with `*`, an employee moved meanwhile is not written back.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CosmosStore } from "../../../../../packages/service-kit/src/cosmos.ts";
import { HttpProblem } from "../../../../../packages/service-kit/src/problems.ts";
import { readyLocalStore } from "../../../../../packages/service-kit/test/local-store.ts";
import { createEmployeeRepository, employeesContainer } from "../src/repository.ts";

const body = {
  firstName: "Ada",
  lastName: "Lovelace",
  email: "ada.lovelace@northwind.example",
  role: "Analyst",
  startDate: "2025-02-03",
};

test("If-Match: * keeps the department guard's conditional write", async (t) => {
  const store = await readyLocalStore(t, { database: "guard", ...employeesContainer });

  // The second database call of a write is the write itself: just before it, the employee moves.
  let calls = 0;
  let moveBeforeCall = 0;
  const moving: CosmosStore = {
    ...store,
    run: async (operation) => {
      if (++calls === moveBeforeCall) {
        await store.run(async (container) => {
          const { resource } = await container.item(id, "northwind").read<{ id: string }>();
          await container
            .item(id, "northwind")
            .replace({ ...resource, departmentId: "northwind-sales" });
        });
      }
      return store.run(operation);
    },
  };
  const employees = createEmployeeRepository(moving);
  const { item } = await employees.create("northwind", "northwind-it", body);
  const id = item.id;
  const ids = { companyId: "northwind", departmentId: "northwind-it", employeeId: id };

  for (const write of [
    () => employees.replace(ids, { ...body, role: "Lead" }, "*"),
    () => employees.remove(ids, "*"),
  ]) {
    calls = 0;
    moveBeforeCall = 2;
    await assert.rejects(write(), (error: unknown) => {
      assert.ok(error instanceof HttpProblem, String(error));
      assert.equal(error.status, 412);
      return true;
    });
    const now = await store.run(async (container) => {
      const { resource } = await container
        .item(id, "northwind")
        .read<{ departmentId: string; role: string }>();
      return resource;
    });
    assert.equal(now?.departmentId, "northwind-sales", "the moved employee stays where it went");
    assert.equal(now.role, "Analyst");
    // Move it back for the next write.
    moveBeforeCall = 0;
    await store.run((container) =>
      container.item(id, "northwind").replace({ ...item, departmentId: "northwind-it" }),
    );
  }
});
