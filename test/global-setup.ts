import postgres from "postgres";
import { createClient } from "redis";
import type { TestProject } from "vitest/node";
import { runMigrations } from "../db/migrate";

/**
 * Database the tests own; dropped and re-created (with the real migrations) per run.
 * TEST_DATABASE_NAME lets two test runs share one PostgreSQL without dropping each other's.
 */
const TEST_DATABASE = process.env.TEST_DATABASE_NAME ?? "balance_test";

/**
 * Creates a fresh test database on the PostgreSQL at DATABASE_URL (default: the local
 * one) and checks Redis at REDIS_URL, failing with a clear message when either is down.
 */
export default async function setup(project: TestProject) {
  const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin`SELECT 1`;
  } catch (err) {
    throw new Error(`Tests need PostgreSQL at ${adminUrl} (set DATABASE_URL): ${(err as Error).message}`);
  }
  await admin.unsafe(`DROP DATABASE IF EXISTS ${TEST_DATABASE} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${TEST_DATABASE}`);
  await admin.end();

  const testUrl = new URL(adminUrl);
  testUrl.pathname = `/${TEST_DATABASE}`;
  await runMigrations(testUrl.toString());

  const redis = createClient({ url: redisUrl, socket: { reconnectStrategy: false, connectTimeout: 3000 } });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.quit();
  } catch (err) {
    throw new Error(`Tests need Redis at ${redisUrl} (set REDIS_URL): ${(err as Error).message}`);
  }

  project.provide("databaseUrl", testUrl.toString());
  project.provide("redisUrl", redisUrl);
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}
