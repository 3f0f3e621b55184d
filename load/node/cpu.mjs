// Where the machine's CPU went during a phase: the Atrium process, this
// generator, the model server, the Postgres backends of this run's database,
// and everything else (other work sharing the machine). Read from /proc, so
// Linux only; elsewhere the figures are blank.
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';

const TICKS_PER_SECOND = 100;

/** CPU seconds of a process, or of several counted together (the API processes of a cluster). */
function processSeconds(pid) {
  if (Array.isArray(pid)) return pid.map(processSeconds).reduce((a, b) => a + b, 0);
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

function machineSeconds() {
  try {
    const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const idle = ticks[3] + ticks[4];
    return { busy: (ticks.reduce((a, b) => a + b, 0) - idle) / TICKS_PER_SECOND };
  } catch {
    return { busy: NaN };
  }
}

/** The server processes of Postgres serving this run's database (the API's pool). */
async function backendPids(database) {
  if (!database) return [];
  const client = new pg.Client({ connectionString: database.base, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database.name]);
    return rows.map((r) => r.pid);
  } catch {
    return [];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Starts measuring; await the returned function at the phase's end for the
 * CPU seconds used by each (`used`) and a one-line summary (`text`). Postgres backends that start during the phase count
 * from zero, those that end during it are missed.
 */
export async function cpuMeter(pids, database) {
  const t0 = performance.now();
  const pg0 = new Map((await backendPids(database)).map((pid) => [pid, processSeconds(pid)]));
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processSeconds(pid)]));
  const machine0 = machineSeconds().busy;
  return async () => {
    const wall = (performance.now() - t0) / 1000;
    const used = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processSeconds(pid) - before[name]]));
    if (database) {
      used['Postgres (this database)'] = (await backendPids(database)).map((pid) => processSeconds(pid) - (pg0.get(pid) ?? 0)).filter(Number.isFinite).reduce((a, b) => a + b, 0);
    }
    const busy = machineSeconds().busy - machine0;
    const others = busy - Object.values(used).reduce((a, b) => a + b, 0);
    const pct = (s) => `${Number.isFinite(s) ? Math.round((s / wall) * 100) : '-'}%`;
    return {
      used,
      text: `CPU (100% = one core): ${Object.entries(used).map(([name, s]) => `${name} ${pct(s)}`).join(', ')}, everything else (other work on the machine) ${pct(others)}; machine busy ${pct(busy)} of ${os.cpus().length * 100}%`,
    };
  };
}
