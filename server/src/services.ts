import type { Request } from 'express';
import { AccessTokens } from './auth/accessTokens.js';
import { actorFromToken, bearerToken, requirePasswordState } from './auth/authenticate.js';
import { LoginRateLimiter } from './auth/loginGuard.js';
import { RefreshSessions } from './auth/refreshSessions.js';
import type { Config } from './config/index.js';
import type { Database, PrismaClient } from './db/database.js';
import { AuditLog, type RequestMeta } from './governance/auditLog.js';
import type { Logger } from './lib/logger.js';
import type { Actor } from './policies/actor.js';

/** The long-lived parts every use case may need, built once at start. */
export interface Services {
  config: Config;
  logger: Logger;
  db: Database;
  prisma: PrismaClient;
  audit: AuditLog;
  accessTokens: AccessTokens;
  sessions: RefreshSessions;
  loginLimiter: LoginRateLimiter;
  authenticate(req: Request, allowPasswordChange: boolean): Promise<Actor>;
}

export function createServices(config: Config, db: Database, logger: Logger): Services {
  const prisma = db.prisma;
  const audit = new AuditLog(prisma);
  const accessTokens = new AccessTokens(config.auth.jwtSecret, config.auth.accessTokenTtlSeconds);
  return {
    config,
    logger,
    db,
    prisma,
    audit,
    accessTokens,
    sessions: new RefreshSessions(prisma, audit, config.auth.refreshTokenTtlDays),
    loginLimiter: new LoginRateLimiter(config.auth.loginRatePerMinute),
    async authenticate(req, allowPasswordChange) {
      return requirePasswordState(await actorFromToken({ prisma, accessTokens }, bearerToken(req)), allowPasswordChange);
    },
  };
}

export function requestMeta(req: Request): RequestMeta {
  return { ip: req.ip, userAgent: req.get('user-agent') ?? undefined };
}
