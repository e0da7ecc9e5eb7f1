-- What refunds and disputes took back from each top-up, net of won disputes and refunds
-- the provider refused (minor units): the one definition shared by db/ledger/reverse-payment.ts
-- (lockFunds) and the operator's top-up list.
CREATE VIEW "topup_taken_back" AS
SELECT "topup_id",
       sum(CASE WHEN "kind" IN ('dispute_won', 'refund_failed') THEN -"recovered" ELSE "recovered" END)::bigint AS "taken"
  FROM "payment_reversals"
 GROUP BY "topup_id";
