import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

const errorShape = (code: string) => ({ error: expect.objectContaining({ code, message: expect.any(String) }) });

describe(`system endpoints and the error shape (${engineName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers liveness and readiness with the engine and migration state', async () => {
    const health = await t.http.get('/api/health').expect(200);
    expect(health.body).toEqual({ status: 'ok', uptimeSeconds: expect.any(Number) });
    const ready = await t.http.get('/api/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ready', engine: engineName, checks: { database: { ok: true }, migrations: { ok: true } } });
  });

  it('reports not ready when a migration is pending', async () => {
    await t.prisma.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET rolled_back_at = now()`);
    try {
      const res = await t.http.get('/api/ready').expect(503);
      expect(res.body.checks.migrations).toMatchObject({ ok: false, detail: expect.stringMatching(/pending: \d+_init/) });
    } finally {
      await t.prisma.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET rolled_back_at = NULL`);
    }
  });

  it('exposes Prometheus metrics with a latency histogram labelled by route template', async () => {
    const { user } = await t.signIn({ role: 'admin' });
    await t.http.get(`/api/v1/users/${user.id}`).expect(401);
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toContain('atrium_http_request_duration_seconds_bucket');
    expect(res.text).toMatch(/route="\/api\/v1\/auth\/login",status="200"/);
    // The template, not the id, so cardinality stays bounded.
    expect(res.text).toMatch(/route="\/api\/v1\/users\/:id",status="401"/);
    expect(res.text).not.toContain(user.id);
  });

  it('serves an OpenAPI 3.1 document built from the route schemas, and a docs page', async () => {
    const res = await t.http.get('/api/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/users', '/api/v1/users/{id}', '/api/v1/groups/{id}/members/{userId}']));
    const create = res.body.paths['/api/v1/users'].post;
    expect(create.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/UserCreate' });
    expect(res.body.components.schemas.UserCreate.required).toEqual(expect.arrayContaining(['email', 'name']));
    expect(res.body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });

    // The OpenAI-compatible API is in the same document, with the personal access token scope that opens it.
    const openAiPaths = ['/api/openai/v1/models', '/api/openai/v1/models/{model}', '/api/openai/v1/chat/completions', '/api/openai/v1/embeddings'];
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(openAiPaths));
    const completions = res.body.paths['/api/openai/v1/chat/completions'].post;
    expect(completions.security).toEqual(expect.arrayContaining([{ personalAccessToken: ['chat'] }]));
    expect(completions.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/OpenAiChatCompletionRequest' });
    const request = res.body.components.schemas.OpenAiChatCompletionRequest;
    expect(request.properties.model.description).toContain('model:<id>');
    expect(Object.keys(request.properties)).toEqual(expect.arrayContaining(['messages', 'stream', 'stream_options', 'store', 'max_tokens', 'temperature']));
    // The group switch that opens raw models to a group's members.
    expect(res.body.components.schemas.Group.properties.apiRawModels).toMatchObject({ type: 'boolean' });

    const docs = await t.http.get('/api/docs').expect(200);
    expect(docs.text).toContain('/api/docs/init.js');
    await t.http.get('/api/docs/assets/swagger-ui-bundle.js').expect(200);
  });

  it('answers unknown API routes with the error shape, not HTML', async () => {
    const res = await t.http.get('/api/v1/nope').expect(404);
    expect(res.body).toEqual(errorShape('not_found'));
    await t.http.delete('/api/nothing/here').expect(404).expect('Content-Type', /json/);
  });

  it('turns malformed and oversized JSON bodies into the error shape', async () => {
    const bad = await t.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"email": ');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(errorShape('bad_request'));

    const huge = await t.http.post('/api/v1/auth/login').send({ email: 'a@b.co', password: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);
    expect(huge.body).toEqual(errorShape('payload_too_large'));
  });

  it('reports each invalid field of a request', async () => {
    const res = await t.http.post('/api/v1/auth/login').send({ email: 'not-an-email', password: 42 }).expect(400);
    expect(res.body.error.code).toBe('validation_failed');
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(['email', 'password']);
  });

  it('sends security headers, a strict CSP and a request id', async () => {
    const res = await t.http.get('/api/health').set('X-Request-Id', 'trace-123');
    expect(res.headers['x-request-id']).toBe('trace-123');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    // A hostile request id is replaced, not echoed.
    const hostile = await t.http.get('/api/health').set('X-Request-Id', '<script>alert(1)</script>');
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps CORS closed unless an origin is configured', async () => {
    const closed = await t.http.options('/api/v1/users').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'GET');
    expect(closed.headers['access-control-allow-origin']).toBeUndefined();

    const open = await createTestApp({ CORS_ORIGINS: 'https://chat.example.com' });
    try {
      const allowed = await open.http.options('/api/v1/users').set('Origin', 'https://chat.example.com').set('Access-Control-Request-Method', 'GET');
      expect(allowed.headers['access-control-allow-origin']).toBe('https://chat.example.com');
      expect(allowed.headers['access-control-allow-credentials']).toBe('true');
      const other = await open.http.options('/api/v1/users').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'GET');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await open.close();
    }
  });

  it('serves the built apps with SPA fallbacks, or says they are not built', async () => {
    for (const path of ['/', '/admin/', '/admin/users/123', '/conversations/abc']) {
      const res = await t.http.get(path).set('Accept', 'text/html');
      if (res.status === 200) {
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expect(res.headers['cache-control']).toBe('no-cache');
      } else {
        expect(res.status).toBe(503);
        expect(res.body.error.message).toMatch(/npm run build/);
      }
    }
  });
});
