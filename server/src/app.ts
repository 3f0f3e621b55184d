import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { fileURLToPath } from 'node:url';
import { AppError } from './errors/appError.js';
import { apiNotFound, errorHandler } from './http/middleware/errorHandler.js';
import { createHttpMetrics } from './http/middleware/metrics.js';
import { requestLog } from './http/middleware/requestLog.js';
import { RouteBuilder } from './http/route.js';
import { assistantRoutes } from './http/routes/assistants/assistants.router.js';
import { auditRoutes } from './http/routes/audit/audit.router.js';
import { attachmentRoutes } from './http/routes/conversations/attachments.router.js';
import { conversationRoutes } from './http/routes/conversations/conversations.router.js';
import { messageRoutes } from './http/routes/conversations/messages.router.js';
import { knowledgeRoutes } from './http/routes/knowledge/knowledge.router.js';
import { knowledgeBaseRoutes } from './http/routes/knowledgeBases/knowledgeBases.router.js';
import { webSourceRoutes } from './http/routes/webSources/webSources.router.js';
import { authRoutes } from './http/routes/auth/auth.router.js';
import { groupRoutes } from './http/routes/groups/groups.router.js';
import { meRoutes } from './http/routes/me/me.router.js';
import { quotaRoutes } from './http/routes/quotas/quotas.router.js';
import { myUsageRoutes } from './http/routes/usage/myUsage.router.js';
import { usageRoutes } from './http/routes/usage/usage.router.js';
import { modelRoutes } from './http/routes/models/models.router.js';
import { providerRoutes } from './http/routes/providers/providers.router.js';
import { toolServerRoutes } from './http/routes/toolServers/toolServers.router.js';
import { settingRoutes } from './http/routes/settings/settings.router.js';
import { systemRoutes } from './http/routes/system/system.router.js';
import { userRoutes } from './http/routes/users/users.router.js';
// Integrations: personal access tokens, the OpenAI-compatible API, MCP.
import { tokenRoutes } from './http/routes/tokens/tokens.router.js';
import { openAiErrorBody, openAiRoutes } from './http/routes/openai/openai.router.js';
import { mcpRouter } from './http/routes/mcp/mcp.router.js';
// Staff features: feedback and its reports, the prompt library.
import { feedbackRoutes } from './http/routes/feedback/feedback.router.js';
import { promptRoutes } from './http/routes/prompts/prompts.router.js';
import { memoryRoutes } from './http/routes/memories/memories.router.js';
import { shareRoutes } from './http/routes/shares/shares.router.js';
import { singlePageApp } from './http/staticApps.js';
// Self-registration and branding (the registration and branding settings).
import { publicRoutes } from './http/routes/public/public.router.js';
import { registrationRoutes } from './http/routes/auth/registration.router.js';
// Identity: single sign-on and SCIM provisioning
import { oidcRoutes } from './http/routes/identity/oidc.router.js';
import { ssoSettingsRoutes } from './http/routes/identity/sso.router.js';
import { scimTokenRoutes } from './http/routes/identity/scimTokens.router.js';
import { SCIM_BASE, scimRouter } from './http/routes/scim/scim.router.js';
import { setupRoutes } from './http/routes/setup/setup.router.js';
import type { Services } from './services.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const webDistDir = `${repoRoot}web/dist`;
export const adminDistDir = `${repoRoot}admin/dist`;

/** Express assembly: middleware order matters and reads top to bottom; the error handler is last. */
export function createApp(s: Services): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', s.config.trustProxy);
  // Express 5 parses ?a[b]=c into objects only with the extended parser; keep queries flat.
  app.set('query parser', 'simple');

  app.use(requestLog(s.logger, { ignore: (req) => req.url === '/api/health' || req.url === '/metrics' }));
  const metrics = createHttpMetrics();
  app.use(metrics.middleware);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // MUI (react-admin) injects style elements at run time.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  // Closed by default: only origins listed in CORS_ORIGINS may call with credentials.
  app.use(cors({ origin: s.config.corsOrigins.length ? s.config.corsOrigins : false, credentials: true }));
  app.use(compression());
  app.use(express.json({ limit: '1mb' }));
  app.use(cookieParser());

  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  registry.registerComponent('securitySchemes', 'personalAccessToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'atr_…',
    description: 'A personal access token; a route accepts one only with the scope its security lists',
  });
  app.use(systemRoutes(s, registry, metrics));

  const routes = new RouteBuilder(registry, '/api/v1', (req, allow, tokenScope) => s.authenticate(req, allow, tokenScope));
  authRoutes(s, routes);
  meRoutes(s, routes);
  userRoutes(s, routes);
  groupRoutes(s, routes);
  auditRoutes(s, routes);
  assistantRoutes(s, routes);
  knowledgeRoutes(s, routes);
  knowledgeBaseRoutes(s, routes);
  webSourceRoutes(s, routes);
  quotaRoutes(s, routes);
  usageRoutes(s, routes);
  myUsageRoutes(s, routes);
  conversationRoutes(s, routes.forTokens('chat'));
  messageRoutes(s, routes.forTokens('chat'));
  attachmentRoutes(s, routes.forTokens('chat'));
  providerRoutes(s, routes);
  toolServerRoutes(s, routes);
  modelRoutes(s, routes);
  settingRoutes(s, routes);
  // Self-registration and branding: the public sign-up and the sign-in pages' configuration.
  registrationRoutes(s, routes);
  publicRoutes(s, routes);
  // Integrations: token management (never reachable with a token).
  tokenRoutes(s, routes);
  // Identity: single sign-on (OpenID Connect) and the console's identity settings.
  oidcRoutes(s, routes);
  ssoSettingsRoutes(s, routes);
  scimTokenRoutes(s, routes);
  // First run: the setup checklist.
  setupRoutes(s, routes);
  // Staff features.
  feedbackRoutes(s, routes);
  promptRoutes(s, routes);
  memoryRoutes(s, routes);
  shareRoutes(s, routes);
  app.use('/api/v1', routes.router);
  // Integrations: the OpenAI-compatible API answers in OpenAI's error shape, so the SDKs raise their usual exceptions.
  const openAi = new RouteBuilder(registry, '/api/openai/v1', (req, allow, tokenScope) => s.authenticate(req, allow, tokenScope)).forTokens('chat');
  openAiRoutes(s, openAi);
  app.use('/api/openai/v1', openAi.router, apiNotFound, errorHandler(s.logger, openAiErrorBody));
  // Integrations: MCP (Streamable HTTP), authenticated by a personal access token with the `mcp` scope.
  app.use('/api/mcp', mcpRouter(s));
  // Identity: SCIM 2.0 provisioning (RFC 7644) — its own bearer tokens, media type and error shape.
  app.use(SCIM_BASE, scimRouter(s));
  app.use(['/api', '/metrics'], apiNotFound);

  app.use('/admin', singlePageApp(adminDistDir, 'admin console'));
  app.use('/', singlePageApp(webDistDir, 'chat app'));
  app.use((req, _res, next) => next(new AppError('not_found', `No route for ${req.method} ${req.path}`)));
  app.use(errorHandler(s.logger));
  return app;
}
