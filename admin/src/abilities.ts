import type { RaRecord } from 'react-admin';
import type { Abilities } from './session';

type Action = 'list' | 'show' | 'create' | 'edit' | 'delete' | 'export' | 'clone' | string;

/** Which API ability each console action needs, per resource. */
const needs: Record<string, Partial<Record<Action, string>> & { default: string }> = {
  users: { default: 'user.list', create: 'user.create', edit: 'user.update', delete: 'user.update' },
  groups: { default: 'group.list', create: 'group.create', edit: 'group.update', delete: 'group.delete' },
  assistants: { default: 'console.open', create: 'assistant.create' },
  // Managers and admins create bases; each base says whether the caller may change it.
  'knowledge-bases': { default: 'console.open', create: 'assistant.create' },
  providers: { default: 'provider.manage' },
  'tool-servers': { default: 'toolServer.manage' },
  models: { default: 'model.manage' },
  quotas: { default: 'quota.manage' },
  'quota-alerts': { default: 'quota.manage' },
  audit: { default: 'audit.read' },
  usage: { default: 'usage.report' },
  settings: { default: 'settings.read', edit: 'settings.manage' },
  // Staff features: published prompts (admins; managers for their groups).
  prompts: { default: 'prompt.publish' },
};

export function abilityFor(abilities: Abilities, resource: string, action: Action, record?: RaRecord): boolean {
  if (!abilities['console.open']) return false;
  // An assistant says itself whether the caller may manage it.
  if (resource === 'assistants' && (action === 'edit' || action === 'delete') && record) {
    return Boolean((record as { can?: { manage?: boolean } }).can?.manage);
  }
  // A base the caller may only read opens read-only (its files listed) and cannot be deleted.
  if (resource === 'knowledge-bases' && action === 'delete' && record) {
    return Boolean((record as { can?: { manage?: boolean } }).can?.manage);
  }
  const rule = needs[resource];
  if (!rule) return false;
  return Boolean(abilities[rule[action] ?? rule.default]);
}
