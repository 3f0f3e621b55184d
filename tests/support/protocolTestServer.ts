import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// The HTTP plumbing the provider test servers share: routing by method and
// path, request recording, cancellable delays, and a clean close. The
// protocol (OpenAI's, Anthropic's) lives in the subclasses.

export interface TestRequest {
  method: string;
  /** Path without the query string, e.g. /v1/embeddings. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
  /** When the request was read in full (Date.now()). */
  receivedAt: number;
}

export type RouteHandler = (request: TestRequest, response: ServerResponse) => void | Promise<void>;

export abstract class ProtocolTestServer {
  /** Every request received, in order of arrival. */
  readonly requests: TestRequest[] = [];

  private readonly server: Server;
  private readonly routes = new Map<string, RouteHandler>();
  private readonly pendingDelays = new Set<() => void>();

  constructor() {
    this.server = createServer((request, response) => void this.dispatch(request, response));
  }

  /** The protocol's error body for an unknown route or a broken request. */
  protected abstract errorBody(message: string, code: string): unknown;

  /** Adds or replaces the handler for one method and path. */
  route(method: string, path: string, handler: RouteHandler): this {
    this.routes.set(`${method.toUpperCase()} ${path}`, handler);
    return this;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    return this;
  }

  get origin(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    // Requests a test abandoned (aborts, timeouts) would otherwise keep the server, and Jest, running.
    for (const finish of this.pendingDelays) finish();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Waits `ms`, or less if the server closes first. */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.pendingDelays.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.pendingDelays.add(finish);
    });
  }

  /**
   * The scripted middle of a streamed reply, the same for every protocol:
   * first-token delay, then each token (`sendToken`), with a cut connection or
   * a protocol error (`sendError`) where the script asks. Returns whether the
   * stream may be finished normally.
   */
  async streamTokens(
    response: ServerResponse,
    tokens: string[],
    reply: { firstTokenDelayMs?: number; chunkDelayMs?: number; disconnectAfterTokens?: number; errorAfterTokens?: number },
    sendToken: (token: string) => void,
    sendError: () => void,
  ): Promise<boolean> {
    if (reply.firstTokenDelayMs) await this.delay(reply.firstTokenDelayMs);
    for (const [i, token] of tokens.entries()) {
      if (response.destroyed) return false;
      if (i === reply.disconnectAfterTokens) {
        // Let the tokens already written reach the client before the cut.
        await this.delay(30);
        response.socket?.destroy();
        return false;
      }
      if (i === reply.errorAfterTokens) {
        sendError();
        response.end();
        return false;
      }
      if (i > 0 && reply.chunkDelayMs) await this.delay(reply.chunkDelayMs);
      sendToken(token);
    }
    return !response.destroyed;
  }

  private async dispatch(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    let request: TestRequest;
    try {
      request = await readRequest(incoming);
    } catch {
      sendJson(response, 400, this.errorBody('We could not parse the JSON body of your request.', 'invalid_json'));
      return;
    }
    this.requests.push(request);
    const handler = this.routes.get(`${request.method} ${request.path}`);
    if (!handler) {
      sendJson(response, 404, this.errorBody(`Unknown route ${request.method} ${request.path}`, 'not_found'));
      return;
    }
    try {
      await handler(request, response);
    } catch (error) {
      if (!response.headersSent) sendJson(response, 500, this.errorBody(`test server handler failed: ${(error as Error).message}`, 'server_error'));
    }
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.destroyed) return;
  const payload = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers });
  response.end(payload);
}

async function readRequest(incoming: IncomingMessage): Promise<TestRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const url = new URL(incoming.url ?? '/', 'http://test.invalid');
  return {
    method: (incoming.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    headers: incoming.headers,
    body: raw.length > 0 ? JSON.parse(raw) : undefined,
    receivedAt: Date.now(),
  };
}
