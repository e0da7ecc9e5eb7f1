import { createHash, randomUUID } from "node:crypto";
import type postgres from "postgres";
import { createMiddleware } from "hono/factory";
import type { Queryable } from "../../db/client";
import { ledgerTransaction } from "../../db/ledger/transaction";
import type { LedgerContext } from "../../db/ledger/types";
import { debitThen } from "../ledger/coalesce-debits";
import type { AppDeps, AppEnv } from "../context";
import { ApiError } from "../errors";
import { documented, sharedHeaders, type MiddlewareDoc } from "../openapi/route-docs";
import { errorResponse } from "./errors";

/** Longest Idempotency-Key accepted (Stripe's limit: 255 characters). */
const MAX_KEY_LENGTH = 255;

/**
 * How long a request holds its key: 90 s. After that, a key still `in_flight` belongs to a
 * request that died (crash, lost connection) and a retry may take it over. It must exceed
 * the longest a live request runs: the slowest is a provider call, at most 3 attempts of
 * 20 s plus stripe-node's backoff (server/payments/stripe.ts), about 62 s. A request that
 * outlives its lease anyway cannot store its response (the lease id no longer matches),
 * and in the transaction mode its money change is rolled back with it.
 */
export const IDEMPOTENCY_LEASE_S = 90;

/** Stores the response of the request holding a key, in the caller's transaction. */
export interface IdempotencyCompletion {
  /**
   * Marks the key `done` with `status` and `body` on `q` (the transaction that made the
   * change the response describes, so both commit or neither does).
   * @throws ApiError idempotency_key_in_use when the lease was lost (the request outlived
   *   IDEMPOTENCY_LEASE_S and a retry took the key over): the transaction must roll back.
   */
  record(q: Queryable, status: number, body: unknown): Promise<void>;
}

/** Thrown inside the request's transaction to roll it back: the response is not a success. */
class NotCommitted extends Error {}

/** 400 (never ran) and 5xx (outcome unknown to us) are not stored: the key is released for a retry. */
const isStored = (status: number) => status !== 400 && status < 500;

/**
 * Idempotency-Key handling for POSTs that move money (shared/DESIGN.md, "Idempotency";
 * semantics as Stripe's, with its "atomic phases", brandur.org/idempotency-keys):
 * - first request with a key: recorded `in_flight` under a lease of IDEMPOTENCY_LEASE_S;
 * - same key + same method, path and body: the stored response is replayed with
 *   `Idempotent-Replayed: true`;
 * - same key + different request: 409 idempotency_key_reused;
 * - same key while the first is still running: 409 idempotency_key_in_use; once its lease
 *   has run out (the request died), the retry takes the key over and runs again. The
 *   verbs are idempotent on the key themselves (ledger entries, holds), so a change that
 *   did commit is found and replayed, never applied twice.
 * The response is stored in the SAME transaction as the change it describes:
 * - default (`transaction` mode): the handler runs inside one transaction whose
 *   connection replaces `deps.database.sql`, `deps.ledger.sql` and `deps.debits` for this
 *   request (verbs join it through withTransaction); a success (2xx) is written in it before
 *   COMMIT, and balance events are published after it. A refusal (4xx) rolls back whatever
 *   the handler wrote and is stored on its own. If storing fails, the change is rolled
 *   back and the client gets 500 with the key released.
 * - `transaction: false`: for routes that call the payment provider (no transaction may
 *   span an HTTP call) or that pass `c.var.idempotency` into their own transaction (POST
 *   /usage, through the debit coalescer). A response not stored by them is stored after
 *   the handler.
 * Keys are scoped to the calling account (or `scope`, e.g. "operator"); responses with
 * status 400 or >= 500 are not stored. Keys are pruned after 24 h (db/idempotency/prune.ts). Without the header the request runs normally. Must run after
 * requireAuth (needs `accountId`), or be given `scope`.
 */
export function idempotent(options: { scope?: string; transaction?: boolean } = {}) {
  const middleware = createMiddleware<AppEnv>(async (c, next) => {
    const key = c.req.header("Idempotency-Key");
    if (key === undefined) return next();
    if (key.length === 0 || key.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
      throw new ApiError("validation_error", `Idempotency-Key must be 1-${MAX_KEY_LENGTH} printable ASCII characters.`);
    }
    const deps = c.get("deps");
    const { sql } = deps.database;
    const scope = options.scope ?? c.get("accountId");
    const body = await c.req.text();
    const requestHash = createHash("sha256").update(`${c.req.method} ${c.req.path}\n${body}`).digest("hex");
    const leaseId = randomUUID();

    // Claim the key: a new row, or a row whose holder's lease has run out (same request only).
    const claimed = await sql`
      INSERT INTO idempotency_keys (scope, key, request_hash, status, lease_id, locked_until)
      VALUES (${scope}, ${key}, ${requestHash}, 'in_flight', ${leaseId}, now() + make_interval(secs => ${IDEMPOTENCY_LEASE_S}))
      ON CONFLICT (scope, key) DO UPDATE SET lease_id = EXCLUDED.lease_id, locked_until = EXCLUDED.locked_until
       WHERE idempotency_keys.status = 'in_flight' AND idempotency_keys.locked_until < now()
         AND idempotency_keys.request_hash = EXCLUDED.request_hash
      RETURNING key`;
    if (claimed.length === 0) {
      const [prior] = await sql<{ request_hash: string; status: string; response_status: number; response_body: unknown }[]>`
        SELECT request_hash, status, response_status, response_body FROM idempotency_keys
         WHERE scope = ${scope} AND key = ${key}`;
      if (!prior) throw new ApiError("idempotency_key_in_use", "This Idempotency-Key was just released; retry.");
      if (prior.request_hash !== requestHash) {
        throw new ApiError("idempotency_key_reused", "This Idempotency-Key was already used with a different request.");
      }
      if (prior.status === "in_flight") {
        throw new ApiError("idempotency_key_in_use", "A request with this Idempotency-Key is still being processed.");
      }
      c.header("Idempotent-Replayed", "true");
      return c.json(prior.response_body as object, prior.response_status as 200);
    }

    let recorded = false;
    const completion: IdempotencyCompletion = {
      async record(q, status, responseBody) {
        const rows = await q`
          UPDATE idempotency_keys SET status = 'done', response_status = ${status},
                 response_body = ${q.json(responseBody as postgres.JSONValue)}, locked_until = now()
           WHERE scope = ${scope} AND key = ${key} AND lease_id = ${leaseId} AND status = 'in_flight'`;
        if (rows.count === 0) {
          throw new ApiError("idempotency_key_in_use", "This request outlived its Idempotency-Key lease; retry.");
        }
        recorded = true;
      },
    };
    c.set("idempotencyKey", key);
    c.set("idempotency", completion);

    try {
      if (options.transaction === false) await next();
      else {
        await runInTransaction(deps, (scoped) => c.set("deps", scoped), next, async (tx) => {
          // only a success is committed: a refusal (4xx) changes nothing, whatever its handler wrote
          if (c.res.status >= 300) throw new NotCommitted();
          await completion.record(tx, c.res.status, await responseJson(c.res));
        });
      }
    } catch (err) {
      if (!(err instanceof NotCommitted)) {
        recorded = false;
        c.get("log").error({ err, idempotencyKey: key }, "idempotent request rolled back: its response could not be stored");
        c.res = errorResponse(c, "internal_error", "Something went wrong on our side. It has been logged.");
      }
    } finally {
      c.set("deps", deps);
    }
    const status = c.res.status;
    if (!isStored(status)) {
      await sql`DELETE FROM idempotency_keys WHERE scope = ${scope} AND key = ${key} AND lease_id = ${leaseId} AND status = 'in_flight'`;
    } else if (!recorded) {
      // a refusal (nothing changed), or a route that calls the provider: stored on its own
      await completion.record(sql, status, await responseJson(c.res));
    }
  });
  return documented(middleware, IDEMPOTENCY_DOC);
}

/** What idempotent() adds to a route's OpenAPI operation. */
const IDEMPOTENCY_DOC: MiddlewareDoc = {
  headers: [
    {
      name: "Idempotency-Key",
      in: "header",
      description: `Makes retries safe: the same key and request replay the first response (keys are kept 24 h). 1-${MAX_KEY_LENGTH} printable ASCII characters.`,
      schema: { type: "string", minLength: 1, maxLength: MAX_KEY_LENGTH },
    },
  ],
  errors: ["validation_error", "idempotency_key_reused", "idempotency_key_in_use"],
  successHeaders: sharedHeaders("Idempotent-Replayed"),
};
/**
 * Runs `next` in one ledgerTransaction, with `setDeps` given deps whose database, ledger
 * and debits use that transaction (its events published after COMMIT), then `finish(tx)`.
 * @throws whatever `finish` or COMMIT throws (everything was rolled back)
 */
function runInTransaction(
  deps: AppDeps,
  setDeps: (scoped: AppDeps) => void,
  next: () => Promise<void>,
  finish: (tx: postgres.TransactionSql) => Promise<void>,
): Promise<void> {
  return ledgerTransaction(deps.ledger, async (t) => {
    const ledger: LedgerContext = { ...deps.ledger, sql: t.sql, events: t.events };
    setDeps({
      ...deps,
      database: { ...deps.database, sql: t.sql },
      ledger,
      debits: { debit: (input, commit) => debitThen(ledger, input, commit) },
    });
    await next();
    await finish(t.tx);
  });
}

/** The response's JSON body (null when it has none). */
const responseJson = (res: Response): Promise<unknown> => res.clone().json().catch(() => null);
