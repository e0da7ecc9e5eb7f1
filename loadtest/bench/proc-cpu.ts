import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_S = 100;

/**
 * CPU seconds (user + system) `pid` has used so far, from /proc/<pid>/stat, or null when
 * the process is gone. Resolution 10 ms (one clock tick). Source: proc(5), fields 14-15.
 */
export function processCpuS(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // the command name (field 2) is in parentheses and may hold spaces: split after it
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S; // utime, stime (fields 14, 15)
}

/** `pid` and all its descendants (children of children, ...), from /proc/<pid>/task/<tid>/children. */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${all[i]}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        for (const child of readFileSync(`/proc/${all[i]}/task/${tid}/children`, "utf8").split(" ")) {
          if (child.trim()) all.push(Number(child));
        }
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return all;
}

/**
 * CPU seconds used by `pid` and its descendants (e.g. the service run by tsx, or the
 * primary of a node:cluster with its workers) between start() and stop().
 */
export function treeCpuMeter(pid: number): { stop(): number } {
  const read = () => processTree(pid).reduce((sum, p) => sum + (processCpuS(p) ?? 0), 0);
  const startedS = read();
  return { stop: () => read() - startedS };
}

/**
 * CPU seconds used by PostgreSQL backends connected to `database` while it runs: samples
 * every `intervalMs` the processes whose title is `postgres: ... <user> <database> <host>`
 * (the local server's backends; needs them visible in /proc, i.e. the same host). A
 * backend that starts during the run counts from zero; one that ends counts up to its
 * last sample, so up to `intervalMs` of its last CPU is missed (pgbench's backends end
 * with the run: at 50 ms that is < 1 % of a 5 s run). Other sessions on the same
 * database (the service's idle pool, its graphile-worker polling) are counted too.
 */
export function postgresCpuMeter(database: string, intervalMs = 50): { stop(): number } {
  const baseline = new Map<number, number>();
  const latest = new Map<number, number>();
  const pattern = new RegExp(`^postgres: (?:[^ ]+: )?[^ ]+ ${database.replace(/[^\w]/g, "\\$&")} `);
  const backends = () =>
    readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((pid) => {
        try {
          return pattern.test(readFileSync(`/proc/${pid}/cmdline`, "utf8"));
        } catch {
          return false;
        }
      });
  const sample = (first: boolean) => {
    for (const pid of backends()) {
      const cpuS = processCpuS(pid);
      if (cpuS === null) continue;
      if (first) baseline.set(pid, cpuS);
      else if (!baseline.has(pid)) baseline.set(pid, 0);
      latest.set(pid, cpuS);
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample(false);
      let total = 0;
      for (const [pid, cpuS] of latest) total += cpuS - (baseline.get(pid) ?? 0);
      return total;
    },
  };
}

/** The 1-minute load average (/proc/loadavg), to publish beside noisy figures. */
export function loadAverage1m(): number {
  return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
}
