/**
 * `npm run lint:openapi`: lints the OpenAPI document GET /api/v1/openapi.json serves with
 * Redocly's CLI (@redocly/cli, its recommended rules as redocly.yaml sets them). Exits 1
 * on any error or warning. test/api/openapi.test.ts runs the same lint.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { OpenAPI3 } from "openapi-typescript";
import { buildOpenApiDocument } from "./generate-api-types";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const REDOCLY = join(ROOT, "node_modules/@redocly/cli/bin/cli.js");
const CONFIG = join(ROOT, "redocly.yaml");

/** One finding of the lint, as `redocly lint --format json` reports it. */
export interface LintProblem {
  ruleId: string;
  severity: "error" | "warn";
  message: string;
  location: { pointer: string }[];
}

/**
 * Lints `document` (default: the one the app serves) with redocly.yaml's rules.
 * @returns every problem, errors and warnings alike ([] when clean)
 * @throws Error when redocly does not run or its output is not its JSON report
 */
export async function lintOpenApi(document?: OpenAPI3): Promise<LintProblem[]> {
  const dir = await mkdtemp(join(tmpdir(), "openapi-lint-"));
  try {
    const file = join(dir, "openapi.json");
    await writeFile(file, JSON.stringify(document ?? (await buildOpenApiDocument()), null, 2));
    // Exit code 1 means "problems found"; the JSON report on stdout says which.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [REDOCLY, "lint", "--config", CONFIG, "--format", "json", file],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
    ).catch((err: { stdout?: string; code?: number }) => {
      if (err.code === 1 && err.stdout) return { stdout: err.stdout };
      throw err;
    });
    return (JSON.parse(stdout) as { problems: LintProblem[] }).problems;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** "rule: message at pointer", one line per problem. */
export const formatProblems = (problems: LintProblem[]) =>
  problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? "?"}`).join("\n");

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const problems = await lintOpenApi();
  process.stdout.write(problems.length === 0 ? "OpenAPI document: no problems\n" : `${formatProblems(problems)}\n`);
  process.exit(problems.length === 0 ? 0 : 1);
}
