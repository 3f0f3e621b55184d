import express from 'express';
import request from 'supertest';
import { requestLog } from '../../server/src/http/middleware/requestLog.js';
import { createLogger } from '../../server/src/lib/logger.js';

// One log line per request, in the shape pino-http wrote before
// (http/middleware/requestLog.ts replaced it): the request as it arrived
// (secrets redacted), the response, the time taken; the level from the status.

function appLogging(level: string) {
  const lines: Record<string, any>[] = [];
  const logger = createLogger(level, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const app = express();
  app.set('query parser', 'simple');
  app.use(requestLog(logger, { ignore: (req) => req.url === '/api/health' }));
  app.get('/api/health', (_req, res) => void res.json({ ok: true }));
  app.get('/things/:id', (_req, res) => void res.json({ ok: true }));
  app.get('/missing', (_req, res) => void res.status(404).json({ error: 'no' }));
  app.get('/broken', (_req, res) => void res.status(500).json({ error: 'yes' }));
  return { http: request(app), lines };
}

describe('request log', () => {
  it('writes the request, the response and the time, with secrets redacted and the request id', async () => {
    const { http, lines } = appLogging('info');
    const res = await http.get('/things/7?q=a').set('X-Request-Id', 'trace-1').set('Authorization', 'Bearer secret').set('Cookie', 'atrium_refresh=secret');
    expect(res.headers['x-request-id']).toBe('trace-1');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        service: 'atrium',
        msg: 'request completed',
        req: expect.objectContaining({ id: 'trace-1', method: 'GET', url: '/things/7?q=a', query: { q: 'a' }, params: {}, remoteAddress: expect.any(String), remotePort: expect.any(Number) }),
        res: { statusCode: 200, headers: expect.objectContaining({ 'x-request-id': 'trace-1' }) },
        responseTime: expect.any(Number),
      }),
    ]);
    expect(lines[0]!.req.headers).toMatchObject({ authorization: '[redacted]', cookie: '[redacted]' });
    expect(Object.keys(lines[0]!)).toEqual(['level', 'time', 'service', 'req', 'res', 'responseTime', 'msg']);
  });

  it('warns on a client error and reports a server error with its cause', async () => {
    const { http, lines } = appLogging('info');
    await http.get('/missing');
    await http.get('/broken');
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, msg: 'request completed', res: expect.objectContaining({ statusCode: 404 }) }),
      expect.objectContaining({ level: 50, msg: 'request errored', err: expect.objectContaining({ message: 'failed with status code 500' }) }),
    ]);
    expect(lines[1]!.req.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('skips the ignored paths and what the level leaves out', async () => {
    const quiet = appLogging('warn');
    await quiet.http.get('/api/health');
    await quiet.http.get('/things/1');
    await quiet.http.get('/missing');
    expect(quiet.lines.map((l) => l.res.statusCode)).toEqual([404]);
  });
});
