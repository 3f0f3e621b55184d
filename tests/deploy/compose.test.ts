import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import { parse } from 'yaml';
import { configEnvNames, loadConfig } from '../../server/src/config/index.js';

// No Docker engine runs on our machines, so the Compose stack is checked
// statically: the file's shape, and that it agrees with .env.example, the
// server's config schema, the Dockerfile and the nginx templates.
const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (relative: string) => fs.readFileSync(path.join(root, relative), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; target?: string } | string;
  environment?: Record<string, string> | string[];
  volumes?: string[];
  healthcheck?: { test: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  ports?: string[];
}
const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;

/** NAME=value lines of .env.example. */
const envExample = new Map(
  read('.env.example')
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!] as const),
);

/** Dockerfile instructions per stage, continuation lines joined. */
function dockerfileStages(text: string): { name: string; from: string; instructions: string[] }[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: { name: string; from: string; instructions: string[] }[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ from: from[1]!, name: from[2] ?? '', instructions: [] });
    else stages.at(-1)?.instructions.push(line);
  }
  return stages;
}
const dockerfile = read('Dockerfile');
const stages = dockerfileStages(dockerfile);
const stage = (name: string) => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`Dockerfile has no stage "${name}"`);
  return found;
};

const envOf = (service: Service): Record<string, string> =>
  Array.isArray(service.environment) ? Object.fromEntries(service.environment.map((e) => e.split('=', 2) as [string, string])) : (service.environment ?? {});

describe('docker-compose.yml', () => {
  test('every service is an image or a build', () => {
    expect(Object.keys(services).sort()).toEqual(['nginx', 'ollama', 'postgres', 'redis', 'server', 'worker']);
    for (const [name, service] of Object.entries(services)) {
      expect({ name, runnable: Boolean(service.image || service.build) }).toEqual({ name, runnable: true });
    }
    for (const name of ['server', 'worker']) expect(services[name]!.build).toMatchObject({ context: '.', target: 'runtime' });
    expect(services.nginx!.build).toMatchObject({ context: '.', target: 'nginx' });
  });

  test('postgres is the pgvector image, and the runtime image has pg_dump of the same major version', () => {
    const tag = /^pgvector\/pgvector:pg(\d+)$/.exec(services.postgres!.image ?? '');
    expect(tag).not.toBeNull();
    expect(stage('runtime').instructions).toContain(`ARG PG_MAJOR=${tag![1]}`);
    expect(stage('runtime').instructions.join('\n')).toContain('postgresql-client-${PG_MAJOR}');
  });

  test('postgres, server and nginx have health checks, and start in order of health', () => {
    for (const name of ['postgres', 'redis', 'server', 'nginx']) {
      const check = services[name]!.healthcheck;
      expect({ name, test: check?.test && !check.disable }).toEqual({ name, test: true });
    }
    expect(services.server!.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(services.worker!.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' }, server: { condition: 'service_healthy' } });
    expect(services.nginx!.depends_on).toEqual({ server: { condition: 'service_healthy' } });
  });

  test('named volumes hold the database and the uploads, shared by server and worker', () => {
    const named = Object.keys(compose.volumes ?? {});
    const mount = (service: string, target: string) => services[service]!.volumes?.find((v) => v.split(':')[1] === target)?.split(':')[0];
    const db = mount('postgres', '/var/lib/postgresql/data');
    expect(named).toContain(db);
    const uploads = mount('server', '/app/uploads');
    expect(named).toContain(uploads);
    expect(mount('worker', '/app/uploads')).toBe(uploads);
    // The runtime image's UPLOADS_DIR is where the volume is mounted.
    expect(envOf(services.server!).UPLOADS_DIR).toBe('/app/uploads');
  });

  test('scale-out: the official Redis image, and several server replicas that reach it (docs/scale-out.md)', () => {
    expect(services.redis!.image).toMatch(/^redis:\d/);
    expect(envOf(services.server!).REDIS_URL).toBe('redis://redis:6379');
    expect(envOf(services.server!).DATABASE_URL).toMatch(/^postgres:\/\//);
    expect((services.server as { deploy?: { replicas?: string } }).deploy?.replicas).toBe('${SERVER_REPLICAS:-2}');
    // Replicas cannot share a host port; nginx reaches them by the service name.
    expect(services.server!.ports).toBeUndefined();
  });

  test('the Ollama service exists only under a profile; everything else always starts', () => {
    expect(services.ollama!.profiles?.length).toBeGreaterThan(0);
    for (const [name, service] of Object.entries(services)) if (name !== 'ollama') expect({ name, profiles: service.profiles }).toEqual({ name, profiles: undefined });
  });

  test('every ${VAR} the file uses is documented in .env.example', () => {
    // $$ escapes a literal $ for the container's shell (postgres health check).
    const used = new Set([...composeText.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
    expect(used.size).toBeGreaterThan(0);
    expect([...used].filter((name) => !envExample.has(name))).toEqual([]);
  });

  test("the server's and worker's environment names only settings the config schema reads", () => {
    for (const name of ['server', 'worker']) {
      expect(Object.keys(envOf(services[name]!)).filter((key) => !configEnvNames.includes(key))).toEqual([]);
    }
  });

  test('nginx gets MAX_UPLOAD_MB from the same .env value as the server', () => {
    expect(envOf(services.nginx!).MAX_UPLOAD_MB).toBe(envOf(services.server!).MAX_UPLOAD_MB);
    expect(envOf(services.server!).MAX_UPLOAD_MB).toMatch(/^\$\{MAX_UPLOAD_MB(:-\d+)?\}$/);
  });

  test('bind-mounted paths exist in the repository', () => {
    const binds = Object.values(services).flatMap((s) => s.volumes ?? []).filter((v) => v.startsWith('./')).map((v) => v.split(':')[0]!);
    for (const bind of binds.filter((b) => b !== './backups')) expect({ bind, exists: fs.existsSync(path.join(root, bind)) }).toEqual({ bind, exists: true });
  });
});

describe('.env.example', () => {
  test("documents every variable the server's config schema reads", () => {
    expect(configEnvNames.length).toBeGreaterThan(20);
    expect(configEnvNames.filter((name) => !envExample.has(name))).toEqual([]);
  });

  test('filled in as the README says (secrets and first admin), the server accepts it as it is', () => {
    // dotenv reads `NAME=` as an empty string, exactly as Compose's env_file passes it on.
    const env = parseDotenv(read('.env.example'));
    const filled = {
      ...env,
      JWT_SECRET: 'a'.repeat(64),
      MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      POSTGRES_PASSWORD: 'b'.repeat(48),
      ADMIN_PASSWORD: 'a long first admin password',
    };
    expect(() => loadConfig(filled, root)).not.toThrow();
    // And as Compose runs the server: its fixed settings on top.
    const composed = { ...filled, NODE_ENV: 'production', DATABASE_URL: 'postgres://atrium:pw@postgres:5432/atrium', TRUST_PROXY: '1', MAX_UPLOAD_MB: '50' };
    expect(loadConfig(composed, root)).toMatchObject({ production: true, database: { engine: 'postgres' }, trustProxy: 1 });
  });

  test('holds no secret: every secret-like setting is empty', () => {
    const secretLike = [...envExample.keys()].filter((name) => /SECRET|PASSWORD|_KEY($|_)|TOKEN(?!_TTL)/.test(name));
    expect(secretLike).toEqual(expect.arrayContaining(['JWT_SECRET', 'MASTER_KEY', 'ADMIN_PASSWORD', 'POSTGRES_PASSWORD']));
    expect(secretLike.filter((name) => envExample.get(name) !== '')).toEqual([]);
    // Nor anything that looks like a generated key under another name.
    expect([...envExample].filter(([, value]) => /^[A-Za-z0-9+/_-]{32,}={0,2}$/.test(value))).toEqual([]);
  });
});

describe('Dockerfile', () => {
  test('multi-stage, dependencies installed with npm ci', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(stages.filter((s) => s.instructions.some((i) => /^RUN\b.*\bnpm ci\b/.test(i))).map((s) => s.name)).toEqual(expect.arrayContaining(['build', 'prod-deps']));
    expect(dockerfile).not.toMatch(/npm install\b/);
  });

  test('the runtime stage runs as an unprivileged user', () => {
    const users = stage('runtime').instructions.filter((i) => /^USER\s/.test(i));
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^USER\s+(root|0)(:|\s|$)/);
  });

  test("the nginx stage sets every variable the nginx templates use, and filters substitution to them", () => {
    const nginxStage = stage('nginx').instructions.join('\n');
    const templates = fs.readdirSync(path.join(root, 'nginx/templates'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.template'));
    const used = new Set(templates.flatMap((f) => [...read(`nginx/templates/${f}`).matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!)));
    // ATRIUM_MAX_BODY_MB is derived at start by the image's entrypoint script.
    const derived = read('nginx/docker-entrypoint.d/15-atrium-upload-limit.envsh');
    for (const name of used) expect({ name, set: new RegExp(`\\b${name}=`).test(nginxStage) || new RegExp(`^${name}=`, 'm').test(derived) }).toEqual({ name, set: true });
    const filter = /NGINX_ENVSUBST_FILTER="([^"]+)"/.exec(nginxStage)?.[1];
    expect(filter).toBeDefined();
    for (const name of used) expect(name).toMatch(new RegExp(filter!));
    expect('host').not.toMatch(new RegExp(filter!));
    expect(nginxStage).toContain('COPY nginx/templates/ /etc/nginx/templates/');
    expect(nginxStage).toMatch(/COPY --chmod=755 nginx\/docker-entrypoint\.d\/ \/docker-entrypoint\.d\//);
  });

  test('.dockerignore keeps secrets and local state out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.env', '**/node_modules', 'data', 'backups']));
  });
});
