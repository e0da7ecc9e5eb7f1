import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Where the stripe-mock binary is built (see STRIPE_MOCK_BUILD); STRIPE_MOCK_BIN overrides. */
export const STRIPE_MOCK_BIN =
  process.env.STRIPE_MOCK_BIN ?? fileURLToPath(new URL("../../.cache/bin/stripe-mock", import.meta.url));
export const STRIPE_MOCK_BUILD =
  "scripts/ensure-stripe-mock.sh (go install github.com/stripe/stripe-mock into .cache/bin)";

/** Longest wait for stripe-mock to listen: 15 s (it loads its OpenAPI spec first, ~1 s). */
const START_TIMEOUT_MS = 15_000;

export interface StripeMock {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  stop(): void;
}

/**
 * Starts stripe-mock on free ports (HTTP and HTTPS, both system-chosen) and resolves with
 * its HTTP base URL. Throws with the build command when the binary is missing: the
 * stripe provider tests fail rather than skip.
 */
export async function startStripeMock(): Promise<StripeMock> {
  if (!existsSync(STRIPE_MOCK_BIN)) {
    throw new Error(`stripe-mock is not installed at ${STRIPE_MOCK_BIN}. Build it with: ${STRIPE_MOCK_BUILD}`);
  }
  const child: ChildProcess = spawn(STRIPE_MOCK_BIN, ["-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`stripe-mock did not start within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening for HTTP at address: (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://${match[1]}`);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`stripe-mock exited (${code}) before listening:\n${output}`));
    });
  });
  return { url, stop: () => child.kill() };
}
