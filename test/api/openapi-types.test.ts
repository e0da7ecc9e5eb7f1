import { expect, it } from "vitest";
import { API_TYPES_PATH, readApiTypes } from "../../scripts/generate-api-types";

/** "line N: committed `...`, generated `...`" for the first line that differs (not a 2,600-line diff). */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split("\n");
  const e = expected.split("\n");
  const i = a.findIndex((line, n) => line !== e[n]);
  const n = i === -1 ? a.length : i;
  return `line ${n + 1}: committed \`${a[n] ?? "<end of file>"}\`, generated \`${e[n] ?? "<end of file>"}\``;
}

// The portal's DTO types are aliases of portal/src/lib/api-types.ts; a server schema
// change that is not regenerated would leave the portal type-checking against the old API.
it("portal/src/lib/api-types.ts is what `npm run api:types` generates from the current OpenAPI document", async () => {
  const { expected, actual } = await readApiTypes();
  expect(actual, `${API_TYPES_PATH} is missing: run \`npm run api:types\``).not.toBeNull();
  if (actual !== expected) {
    expect.fail(
      `${API_TYPES_PATH} is stale: run \`npm run api:types\` and commit it (${firstDifference(actual!, expected)})`,
    );
  }
});
