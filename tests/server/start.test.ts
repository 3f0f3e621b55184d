import { io as connect, type Socket } from 'socket.io-client';
import { startServer, type RunningServer } from '../../server/src/server.js';
import { createEmptyDatabase, engineName } from '../support/testDb.js';
import { testConfig } from '../support/testApp.js';

// The whole server as `npm start` runs it: migrations at start, the first
// admin from the environment, HTTP and socket.io on one port.
describe(`server start (${engineName})`, () => {
  let empty: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let server: RunningServer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    empty = await createEmptyDatabase();
    const db = await empty.open();
    server = await startServer(
      testConfig({ PORT: '0', HOST: '127.0.0.1', ADMIN_EMAIL: 'First.Admin@Example.com', ADMIN_PASSWORD: 'first admin secret 1' }),
      { db },
    );
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await server.close();
    await server.services.db.close();
    await empty.drop();
  });

  const login = async (email: string, password: string) => {
    const res = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    return { status: res.status, body: (await res.json()) as { accessToken: string; user: { role: string } } };
  };

  it('applies migrations and creates the first admin from the environment, once', async () => {
    const ready = await fetch(`${server.url}/api/ready`);
    expect(ready.status).toBe(200);
    const { status, body } = await login('first.admin@example.com', 'first admin secret 1');
    expect(status).toBe(200);
    expect(body.user.role).toBe('admin');
    const { bootstrapAdmin } = await import('../../server/src/commands/users/bootstrapAdmin.js');
    const again = await bootstrapAdmin(server.services, { email: 'first.admin@example.com', password: 'another password 2', name: 'X' }, 4, 'environment');
    expect(again).toBe('exists');
    expect(await server.services.prisma.auditLog.count({ where: { action: 'user.bootstrap_admin' } })).toBe(1);
    // Replicas starting together (scale-out) both pass the "exists?" check: one creates, the other says exists instead of failing its start.
    const together = await Promise.all([1, 2].map(() => bootstrapAdmin(server.services, { email: 'second.admin@example.com', password: 'another password 2', name: 'Y' }, 4, 'environment')));
    expect(together.sort()).toEqual(['created', 'exists']);
  });

  const open = (auth: Record<string, string>) =>
    new Promise<{ socket: Socket; error?: Error & { data?: { code: string } } }>((resolve) => {
      const socket = connect(server.url, { path: '/socket.io', auth, transports: ['websocket'], reconnection: false });
      sockets.push(socket);
      socket.on('connect', () => resolve({ socket }));
      socket.on('connect_error', (error) => resolve({ socket, error }));
    });

  it('accepts socket.io connections with a valid access token and refuses the rest at the handshake', async () => {
    const { body } = await login('first.admin@example.com', 'first admin secret 1');
    const ok = await open({ token: body.accessToken });
    expect(ok.error).toBeUndefined();
    expect(ok.socket.connected).toBe(true);

    const none = await open({});
    expect(none.error?.message).toBe('Authentication required');
    expect(none.error?.data?.code).toBe('unauthenticated');
    const forged = await open({ token: `${body.accessToken}x` });
    expect(forged.error?.data?.code).toBe('unauthenticated');
  });
});
