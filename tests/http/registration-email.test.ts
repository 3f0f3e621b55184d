import { createHash } from 'node:crypto';
import { createUserRecord } from '../support/factories.js';
import { startSmtpTestServer, type SmtpTestServer } from '../support/smtpTestServer.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// Self-registration with SMTP_URL: the account waits until the mailed link is followed.
// The mail goes through nodemailer to a real SMTP server on loopback, which keeps it.
describe(`self-registration with e-mail verification (${engineName})`, () => {
  let t: TestApp;
  let smtp: SmtpTestServer;
  const PUBLIC_URL = 'https://atrium.example.org';
  const password = 'a good password 7';
  const register = (email: string) => t.http.post('/api/v1/auth/register').send({ email, name: 'New Person', password });
  const login = (email: string) => t.http.post('/api/v1/auth/login').send({ email, password });
  const tokenIn = (text: string) => {
    const link = new RegExp(`${PUBLIC_URL}/verify-email\\?token=([A-Za-z0-9_-]+)`).exec(text);
    if (!link) throw new Error(`no verification link in: ${text}`);
    return link[1]!;
  };

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000', REGISTRATION_RATE_PER_MINUTE: '1000', SMTP_URL: smtp.url, SMTP_FROM: 'Atrium <no-reply@atrium.example.org>', PUBLIC_URL });
    const admin = await t.signIn({ role: 'admin' });
    await t.http.put('/api/v1/settings/registration').set('Authorization', `Bearer ${admin.token}`).send({ policy: 'domains', allowedDomains: ['example.org'] }).expect(200);
    // A fresh database and a sign-in; slow when the machine is busy.
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('mails a link whose token only a hash of is stored; following it once activates the account', async () => {
    expect((await register('ivy@example.org').expect(202)).body).toEqual({ status: 'verification_sent' });
    const mail = await smtp.nextMailTo('ivy@example.org');
    expect(mail).toMatchObject({ from: 'no-reply@atrium.example.org', subject: 'Confirm your e-mail address' });
    const token = tokenIn(mail.text);

    const user = await t.prisma.user.findUniqueOrThrow({ where: { email: 'ivy@example.org' }, include: { emailVerifications: true } });
    expect(user.pending).toBe('email_verification');
    expect(user.emailVerifications).toHaveLength(1);
    expect(user.emailVerifications[0]!.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    const audit = await t.prisma.auditLog.findMany({ select: { oldValues: true, newValues: true } });
    expect(JSON.stringify(audit)).not.toContain(token);

    const pending = await login('ivy@example.org').expect(403);
    expect(pending.body.error).toMatchObject({ code: 'account_pending', details: { pending: 'email_verification' } });

    const wrong = await t.http.post('/api/v1/auth/verify-email').send({ token: token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }).expect(400);
    expect(wrong.body.error.code).toBe('verification_invalid');
    expect((await t.http.post('/api/v1/auth/verify-email').send({ token }).expect(200)).body).toEqual({ status: 'verified' });
    expect(await t.prisma.auditLog.count({ where: { action: 'auth.email_verified', resourceId: user.id } })).toBe(1);
    await login('ivy@example.org').expect(200);
    expect((await t.http.post('/api/v1/auth/verify-email').send({ token }).expect(400)).body.error.code).toBe('verification_invalid');
  });

  it('refuses an expired link', async () => {
    await register('jack@example.org').expect(202);
    const token = tokenIn((await smtp.nextMailTo('jack@example.org')).text);
    await t.prisma.emailVerification.updateMany({ where: { user: { email: 'jack@example.org' } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await t.http.post('/api/v1/auth/verify-email').send({ token }).expect(400)).body.error.code).toBe('verification_invalid');
    expect((await t.prisma.user.findUniqueOrThrow({ where: { email: 'jack@example.org' } })).pending).toBe('email_verification');
  });

  it('answers a taken address as a new one, mailing its owner a notice without any link', async () => {
    await createUserRecord(t.prisma, { email: 'kate@example.org' });
    expect((await register('kate@example.org').expect(202)).body).toEqual({ status: 'verification_sent' });
    const notice = await smtp.nextMailTo('kate@example.org');
    expect(notice.subject).toBe('Someone tried to sign up with your address');
    expect(notice.text).not.toContain('verify-email');
    expect(await t.prisma.emailVerification.count({ where: { user: { email: 'kate@example.org' } } })).toBe(0);
  });

  it('does not keep an account whose mail could not be sent, so the address can try again', async () => {
    const mailer = t.services.mailer!;
    t.services.mailer = { send: () => Promise.reject(new Error('connection refused')) };
    try {
      const res = await register('liam@example.org').expect(502);
      expect(res.body.error.code).toBe('upstream_failed');
    } finally {
      t.services.mailer = mailer;
    }
    expect(await t.prisma.user.count({ where: { email: 'liam@example.org' } })).toBe(0);
    await register('liam@example.org').expect(202);
    tokenIn((await smtp.nextMailTo('liam@example.org')).text);
  });
});
