import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagedProcess, waitFor } from './processes.js';

// Runs the project's nginx templates with Debian's nginx, rendered the way the
// official image renders them (envsubst over nginx/templates, the scripts in
// nginx/docker-entrypoint.d): only ports, paths and the upstream differ.
export const nginxBinary = '/usr/sbin/nginx';
const repoNginx = fileURLToPath(new URL('../../../nginx/', import.meta.url));
const templatesDir = path.join(repoNginx, 'templates');
const entrypointDir = path.join(repoNginx, 'docker-entrypoint.d');

/** The system tools this test drives; .ci/install-system.sh installs them. */
export function assertSystemTools(): void {
  const onPath = (tool: string) => (process.env.PATH ?? '').split(':').some((dir) => fs.existsSync(path.join(dir, tool)));
  const missing = [nginxBinary, '/usr/bin/chromium'].filter((p) => !fs.existsSync(p)).concat(['envsubst', 'openssl'].filter((t) => !onPath(t)));
  if (missing.length) throw new Error(`Missing system tools (${missing.join(', ')}): run \`bash .ci/install-system.sh\``);
}

export interface NginxSettings {
  upstream: string;
  httpPort: number;
  httpsPort: number;
  /** Folder holding web/ and admin/ builds. */
  staticRoot: string;
  certsDir: string;
  maxUploadMb: number;
  /** The address nginx listens on (default 127.0.0.1); the multi-host test gives it a host's own. */
  listenHost?: string;
  /** Runs nginx through this command, e.g. `ip netns exec <ns>` to put it on a host of its own. */
  launcher?: string[];
}

/** The image's substitution variables; the knowledge-upload limit comes from the image's own .envsh script. */
export function nginxVariables(settings: NginxSettings): Record<string, string> {
  const maxBodyMb = execFileSync('sh', ['-c', '. "$1" && printf %s "$ATRIUM_MAX_BODY_MB"', 'sh', path.join(entrypointDir, '15-atrium-upload-limit.envsh')], {
    env: { PATH: process.env.PATH, MAX_UPLOAD_MB: String(settings.maxUploadMb) },
    encoding: 'utf8',
  });
  return {
    ATRIUM_UPSTREAM: settings.upstream,
    ATRIUM_HTTP_PORT: `${settings.listenHost ?? '127.0.0.1'}:${settings.httpPort}`,
    ATRIUM_HTTPS_PORT: `${settings.listenHost ?? '127.0.0.1'}:${settings.httpsPort}`,
    ATRIUM_STATIC_ROOT: settings.staticRoot,
    ATRIUM_CERTS_DIR: settings.certsDir,
    MAX_UPLOAD_MB: String(settings.maxUploadMb),
    ATRIUM_MAX_BODY_MB: maxBodyMb,
  };
}

function templatesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.template'));
}

/** Like the image's 20-envsubst-on-templates.sh: templates/<path>.template → <outputDir>/<path>, only our variables. */
export function renderTemplates(outputDir: string, variables: Record<string, string>): void {
  const shellFormat = Object.keys(variables).map((name) => `\${${name}}`).join(' ');
  for (const relative of templatesUnder(templatesDir)) {
    const rendered = execFileSync('envsubst', [shellFormat], {
      input: fs.readFileSync(path.join(templatesDir, relative)),
      env: { PATH: process.env.PATH, ...variables },
      encoding: 'utf8',
    });
    const left = /\$\{\w+\}/.exec(rendered);
    if (left) throw new Error(`${relative} uses ${left[0]}, which neither the Dockerfile nor this test sets`);
    const target = path.join(outputDir, relative.slice(0, -'.template'.length));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, rendered);
  }
}

/** nginx with the rendered templates under a private prefix; the main file stands in for the image's nginx.conf. */
export class NginxInstance {
  private process?: ManagedProcess;
  readonly confDir: string;
  readonly errorLog: string;

  constructor(
    readonly prefix: string,
    readonly settings: NginxSettings,
  ) {
    this.confDir = path.join(prefix, 'conf.d');
    this.errorLog = path.join(prefix, 'logs', 'error.log');
  }

  prepare(): void {
    for (const dir of ['conf.d', 'logs', 'temp']) fs.mkdirSync(path.join(this.prefix, dir), { recursive: true });
    renderTemplates(this.confDir, nginxVariables(this.settings));
    const temp = (name: string) => path.join(this.prefix, 'temp', name);
    fs.writeFileSync(
      path.join(this.prefix, 'nginx.conf'),
      [
        'daemon off;',
        // Workers would otherwise run as nobody, who cannot enter the private temp folders.
        process.getuid?.() === 0 ? 'user root;' : '',
        'worker_processes 1;',
        `pid ${path.join(this.prefix, 'nginx.pid')};`,
        `error_log ${this.errorLog} warn;`,
        'events { worker_connections 1024; }',
        'http {',
        '  include /etc/nginx/mime.types;',
        '  default_type application/octet-stream;',
        '  sendfile on;',
        '  keepalive_timeout 65;',
        `  access_log ${path.join(this.prefix, 'logs', 'access.log')};`,
        `  client_body_temp_path ${temp('body')}; proxy_temp_path ${temp('proxy')};`,
        `  fastcgi_temp_path ${temp('fastcgi')}; uwsgi_temp_path ${temp('uwsgi')}; scgi_temp_path ${temp('scgi')};`,
        '  include conf.d/*.conf;',
        '}',
        '',
      ].join('\n'),
    );
  }

  private args(): string[] {
    return ['-p', `${this.prefix}/`, '-c', path.join(this.prefix, 'nginx.conf'), '-e', this.errorLog];
  }

  /** nginx with these arguments, through the launcher when there is one (`nginx -t` binds too, so it runs there as well). */
  private command(extra: string[] = []): [string, string[]] {
    const [command = nginxBinary, ...prefix] = [...(this.settings.launcher ?? []), nginxBinary];
    return [command, [...prefix, ...this.args(), ...extra]];
  }

  /** `nginx -t`: a config error fails here with nginx's own message. */
  check(): void {
    try {
      execFileSync(...this.command(['-t']), { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      throw new Error(`nginx -t failed:\n${(error as { stderr?: string }).stderr ?? error}`);
    }
  }

  async start(): Promise<void> {
    this.check();
    this.process = new ManagedProcess('nginx', ...this.command(), {});
    await waitFor('nginx to answer /healthz', async () => ((await fetch(`${this.httpUrl}/healthz`)).ok ? true : undefined), 15_000, () => this.describe());
  }

  /** Runs the image's TLS script (certificates in settings.certsDir) and reloads. */
  enableTls(options: { redirect: boolean }): string {
    const out = execFileSync('sh', [path.join(entrypointDir, '30-atrium-tls.sh')], {
      env: { PATH: process.env.PATH, NGINX_ENVSUBST_OUTPUT_DIR: this.confDir, ATRIUM_CERTS_DIR: this.settings.certsDir, ATRIUM_HTTPS_REDIRECT: String(options.redirect) },
      encoding: 'utf8',
    });
    this.check();
    this.process!.child.kill('SIGHUP');
    return out;
  }

  get httpUrl(): string {
    return `http://${this.settings.listenHost ?? '127.0.0.1'}:${this.settings.httpPort}`;
  }

  describe(): string {
    const log = fs.existsSync(this.errorLog) ? fs.readFileSync(this.errorLog, 'utf8').slice(-4000) : '(no error log)';
    return `${this.process?.describe() ?? 'nginx not started'}\nerror.log:\n${log}`;
  }

  stop(): Promise<void> {
    return this.process?.stop() ?? Promise.resolve();
  }
}
