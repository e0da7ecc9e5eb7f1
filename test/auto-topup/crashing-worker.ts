/**
 * A worker process for the crash test (job.test.ts): runs one auto top-up for the account
 * in argv[2] on DATABASE_URL, and SIGKILLs itself the moment the provider's charge
 * returns, before anything is committed. Run with `node --import tsx`.
 */
import { startServices } from "../../server/bootstrap";
import { loadEnv } from "../../server/env";
import { createLogger } from "../../server/logger";
import { runAutoTopup } from "../../workers/run-auto-topup";

const env = loadEnv();
const services = await startServices(env, createLogger("silent"));
const { payments } = services.deps;
await runAutoTopup(
  {
    ledger: services.deps.ledger,
    publicUrl: services.deps.publicUrl,
    now: () => new Date(),
    payments: {
      ...payments,
      chargeSavedPaymentMethod: async (input) => {
        await payments.chargeSavedPaymentMethod(input);
        process.kill(process.pid, "SIGKILL");
        throw new Error("unreachable: the process is killed");
      },
    },
  },
  process.argv[2]!,
);
