import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagedProcess, waitFor } from './processes.js';

// The built product as Compose runs it: `node server/dist/main.js api` and a
// separate `... worker`, each a real process on native Postgres.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const builtPaths = {
  server: path.join(repoRoot, 'server/dist/main.js'),
  web: path.join(repoRoot, 'web/dist'),
  admin: path.join(repoRoot, 'admin/dist'),
};

/** The build is a step before the tests (.ci/run: `npm run build`); say so plainly when it is missing. */
export function assertBuilt(): void {
  const missing = [builtPaths.server, path.join(builtPaths.web, 'index.html'), path.join(builtPaths.admin, 'index.html')].filter((p) => !fs.existsSync(p));
  if (missing.length) throw new Error(`The built product is missing (${missing.map((p) => path.relative(repoRoot, p)).join(', ')}): run \`npm run build\` before this test`);
}

export interface AtriumSettings {
  databaseUrl: string;
  port: number;
  /** Working folder: the processes run there (so no developer .env is read) and keep uploads/ and data/ in it. */
  workDir: string;
  env?: Record<string, string>;
}

export class AtriumProcesses {
  readonly api: ManagedProcess;
  readonly worker: ManagedProcess;
  readonly uploadsDir: string;

  constructor(readonly settings: AtriumSettings) {
    this.uploadsDir = path.join(settings.workDir, 'uploads');
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(settings.port),
      DATABASE_URL: settings.databaseUrl,
      DATA_DIR: path.join(settings.workDir, 'data'),
      UPLOADS_DIR: this.uploadsDir,
      // As in docker-compose.yml: one proxy hop, and a separate worker does the ingestion.
      TRUST_PROXY: '1',
      WORKER_IN_API: 'false',
      LOG_LEVEL: 'warn',
      ...settings.env,
    };
    const options = { cwd: settings.workDir, env };
    this.api = new ManagedProcess('api', process.execPath, [builtPaths.server, 'api'], options);
    this.worker = new ManagedProcess('worker', process.execPath, [builtPaths.server, 'worker'], options);
  }

  get directUrl(): string {
    return `http://127.0.0.1:${this.settings.port}`;
  }

  async waitReady(): Promise<void> {
    await waitFor(
      'the API to be ready',
      async () => {
        if (this.api.exited) throw new Error('api exited');
        return (await fetch(`${this.directUrl}/api/ready`)).ok ? true : undefined;
      },
      45_000,
      () => `${this.api.describe()}\n${this.worker.describe()}`,
    );
  }

  describe(): string {
    return `${this.api.describe()}\n${this.worker.describe()}`;
  }

  async stop(): Promise<void> {
    await Promise.all([this.api.stop(), this.worker.stop()]);
  }
}
