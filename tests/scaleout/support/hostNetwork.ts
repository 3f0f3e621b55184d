import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import net from 'node:net';

// Several "hosts" on one machine for the multi-host test (issue 17): one
// network namespace per host, each with its own address on a private /24,
// joined by veth pairs to a bridge in the root namespace. The root namespace
// (this test process) holds the bridge's .1 address: the hosts reach the
// machine's Postgres and Redis, which listen on 127.0.0.1 only, through TCP
// forwarders on that address, so the system configuration is never touched.

const NAME_PREFIX = 'atrium-mh-';

/** Why namespaces cannot be used here (the command and its error), or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  const probe = `${NAME_PREFIX}probe-${process.pid}-${randomBytes(2).toString('hex')}`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8', timeout: 5000 });
  if (add.error) return `\`ip netns add\` could not run: ${add.error.message}`;
  if (add.status !== 0) return `\`ip netns add ${probe}\` failed: ${add.stderr.trim() || `exit ${add.status}`}`;
  const veth = spawnSync('ip', ['-n', probe, 'link', 'add', 'probe0', 'type', 'veth', 'peer', 'name', 'probe1'], { encoding: 'utf8', timeout: 5000 });
  spawnSync('ip', ['netns', 'del', probe], { timeout: 5000 });
  if (veth.status !== 0) return `\`ip link add ... type veth\` failed: ${veth.stderr.trim() || `exit ${veth.status}`}`;
  return undefined;
}

function ip(...args: string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: 'pipe', timeout: 10_000 });
  } catch (error) {
    throw new Error(`ip ${args.join(' ')} failed: ${(error as { stderr?: string }).stderr?.trim() ?? error}`);
  }
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Removes what an earlier run killed before its cleanup left behind: its
 * namespaces (named after the test process's pid), the processes it had
 * started in them, and bridges with no port left.
 */
export function sweepStaleHosts(): void {
  for (const line of ip('netns', 'list').split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const pid = Number(new RegExp(`^${NAME_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!pid || pidAlive(pid)) continue;
    for (const orphan of ip('netns', 'pids', name).split('\n').map(Number).filter(Boolean)) {
      try {
        process.kill(orphan, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    spawnSync('ip', ['netns', 'del', name]);
  }
  const links = JSON.parse(ip('-j', 'link', 'show')) as { ifname: string; master?: string; linkinfo?: unknown }[];
  for (const bridge of links.filter((l) => /^amh[0-9a-f]{4}br$/.test(l.ifname))) {
    if (!links.some((l) => l.master === bridge.ifname)) spawnSync('ip', ['link', 'del', bridge.ifname]);
  }
}

/** A /24 under 10.0.0.0/8 that no interface or route of this machine uses. */
function freeSubnet(): string {
  const used = ip('-4', '-o', 'addr', 'show') + ip('-4', 'route', 'show');
  for (let i = 0; i < 50; i++) {
    const subnet = `10.${randomInt(100, 250)}.${randomInt(0, 256)}`;
    if (!used.includes(`${subnet}.`)) return subnet;
  }
  throw new Error('no free 10.x.y.0/24 found');
}

export interface Host {
  name: string;
  /** The network namespace (`ip netns exec <netns> ...`). */
  netns: string;
  address: string;
  /** Its cable: the veth end on the bridge. */
  link: string;
}

/** A bridge and one namespace per host; `remove()` deletes all of it (also after a partial setup). */
export class HostNetwork {
  readonly id = randomBytes(2).toString('hex');
  readonly subnet = freeSubnet();
  /** The root namespace's address on the bridge: where the forwarders listen. */
  readonly gateway = `${this.subnet}.1`;
  readonly hosts = new Map<string, Host>();
  private readonly bridge = `amh${this.id}br`;
  private readonly forwarders: net.Server[] = [];
  private readonly forwarded = new Set<net.Socket>();

  constructor() {
    ip('link', 'add', this.bridge, 'type', 'bridge');
    ip('addr', 'add', `${this.gateway}/24`, 'dev', this.bridge);
    ip('link', 'set', this.bridge, 'up');
  }

  /** A host with its own namespace, veth pair and address `<subnet>.<octet>`. */
  addHost(name: string, octet: number): Host {
    const netns = `${NAME_PREFIX}${process.pid}-${this.id}-${name}`;
    const outside = `amh${this.id}h${octet}`;
    const inside = `amh${this.id}n${octet}`;
    const address = `${this.subnet}.${octet}`;
    ip('netns', 'add', netns);
    const host = { name, netns, address, link: outside };
    this.hosts.set(name, host);
    ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
    ip('link', 'set', outside, 'master', this.bridge, 'up');
    ip('link', 'set', inside, 'netns', netns);
    ip('-n', netns, 'addr', 'add', `${address}/24`, 'dev', inside);
    ip('-n', netns, 'link', 'set', inside, 'up');
    ip('-n', netns, 'link', 'set', 'lo', 'up');
    return host;
  }

  host(name: string): Host {
    const host = this.hosts.get(name);
    if (!host) throw new Error(`no host ${name}`);
    return host;
  }

  /** Unplugs (or plugs back) the host's cable: its processes keep running, unreachable and reaching nothing. */
  setConnected(name: string, connected: boolean): void {
    ip('link', 'set', this.host(name).link, connected ? 'up' : 'down');
  }

  /** `command args` run inside the host's namespace (`ip netns exec` execs it, so signals reach the command itself). */
  exec(name: string, command: string, args: string[]): [string, string[]] {
    return ['ip', ['netns', 'exec', this.host(name).netns, command, ...args]];
  }

  /** Serves `127.0.0.1:<targetPort>` of the root namespace on the bridge address; resolves with the port the hosts use. */
  async forward(targetPort: number, listenPort = targetPort): Promise<number> {
    const server = net.createServer((client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.forwarded.add(from);
        from.on('error', () => to.destroy());
        from.on('close', () => {
          this.forwarded.delete(from);
          to.destroy();
        });
        from.pipe(to);
      }
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(listenPort, this.gateway, resolve));
    this.forwarders.push(server);
    return (server.address() as net.AddressInfo).port;
  }

  /** Established TCP connections to `port` inside a host: peer `address:port` → bytes received on it so far (`ss -i`). */
  connections(name: string, port: number): Map<string, number> {
    const out = execFileSync('ss', ['-N', this.host(name).netns, '-Htin', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8', timeout: 5000 });
    const connections = new Map<string, number>();
    let peer: string | undefined;
    for (const line of out.split('\n')) {
      // A connection's row (Recv-Q Send-Q local peer), then an indented row of its TCP details.
      const row = /^\s*\d+\s+\d+\s+\S+\s+(\S+)/.exec(line);
      if (row) {
        peer = row[1]!;
        connections.set(peer, 0);
      } else {
        const received = /bytes_received:(\d+)/.exec(line)?.[1];
        if (peer && received) connections.set(peer, Number(received));
      }
    }
    return connections;
  }

  async remove(): Promise<void> {
    for (const socket of this.forwarded) socket.destroy();
    await Promise.all(this.forwarders.map((s) => new Promise((resolve) => s.close(resolve))));
    // Deleting a namespace destroys its end of the veth pair, and with it the bridge's end.
    for (const { netns } of this.hosts.values()) spawnSync('ip', ['netns', 'del', netns]);
    spawnSync('ip', ['link', 'del', this.bridge]);
  }
}
