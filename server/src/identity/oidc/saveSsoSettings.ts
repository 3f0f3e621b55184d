import { auditActor, type CommandContext } from '../../commands/context.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { presentSsoSettings, type SsoSettings, type SsoSettingsInput } from './ssoSettings.js';

/** Saves the console's single sign-on settings and audits the change (the secret only as "changed"). */
export async function saveSsoSettings(s: Services, ctx: CommandContext, input: SsoSettingsInput): Promise<SsoSettings> {
  authorize(ctx.actor, 'identity.manage');
  const { before, after } = await s.sso.settings.save(input, ctx.actor.id);
  const { secretHint: oldHint, ...oldValues } = presentSsoSettings(before);
  const { secretHint: newHint, ...newValues } = presentSsoSettings(after);
  await s.audit.record({
    actor: auditActor(ctx.actor),
    action: 'sso.settings_update',
    resource: { type: 'sso', id: 'default' },
    oldValues,
    newValues: { ...newValues, clientSecretChanged: oldHint !== newHint || before.clientSecret !== after.clientSecret },
    meta: ctx.meta,
  });
  return after;
}
