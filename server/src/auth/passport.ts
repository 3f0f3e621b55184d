import type { NextFunction, Request, Response } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { User } from '../db/generated/client.js';
import type { Services } from '../services.js';
import { requestMeta } from '../services.js';
import { verifyCredentials } from './credentials.js';

/** A passport instance of its own (not the global one), so several apps can live in one process. */
export function createPassport(s: Services): passport.PassportStatic {
  const instance = new passport.Passport() as unknown as passport.PassportStatic;
  instance.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', session: false, passReqToCallback: true }, (req, email, password, done) => {
      verifyCredentials(
        { prisma: s.prisma, audit: s.audit, policy: { maxFailures: s.config.auth.maxFailures, lockoutMinutes: s.config.auth.lockoutMinutes, bcryptCost: s.config.auth.bcryptCost } },
        email,
        password,
        requestMeta(req),
      ).then((user) => done(null, user), done);
    }),
  );
  return instance;
}

/** Runs the local strategy and resolves with the user, or rejects with its AppError. */
export function authenticateLocal(instance: passport.PassportStatic, req: Request, res: Response): Promise<User> {
  return new Promise((resolve, reject) => {
    const next: NextFunction = (error?: unknown) => reject(error);
    instance.authenticate('local', { session: false }, (error: unknown, user: User | false) => {
      if (error) reject(error);
      else if (!user) reject(new Error('passport local strategy returned no user'));
      else resolve(user);
    })(req, res, next);
  });
}
