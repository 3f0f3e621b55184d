import { ScimError } from './scimErrors.js';

/**
 * The filters provisioning clients send to find a resource before creating
 * it: `attribute eq "value"` (Entra ID, Okta). Richer expressions are
 * refused with invalidFilter rather than half-understood.
 */
export function parseEqFilter(filter: string | undefined, allowed: readonly string[]): { attribute: string; value: string } | undefined {
  if (filter === undefined || filter.trim() === '') return undefined;
  const match = /^\s*([A-Za-z][\w.:]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i.exec(filter);
  if (!match) throw new ScimError(400, `Unsupported filter: only ${allowed.join(', ')} eq "value"`, 'invalidFilter');
  const attribute = allowed.find((a) => a.toLowerCase() === match[1]!.toLowerCase());
  if (!attribute) throw new ScimError(400, `Cannot filter on ${match[1]}; use one of ${allowed.join(', ')}`, 'invalidFilter');
  return { attribute, value: match[2]!.replace(/\\(.)/g, '$1') };
}

/** SCIM booleans arrive as true or as "True" (Entra ID). */
export function scimBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw new ScimError(400, `Expected a boolean, got ${JSON.stringify(value)}`, 'invalidValue');
}

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

/** The PATCH body's operations with op names lower-cased (Entra sends "Replace", Okta "replace"). */
export function patchOperations(body: unknown): PatchOperation[] {
  const ops = (body as { Operations?: unknown })?.Operations;
  if (!Array.isArray(ops) || ops.length === 0) throw new ScimError(400, 'A PATCH needs Operations', 'invalidSyntax');
  return ops.map((raw) => {
    const o = raw as { op?: unknown; path?: unknown; value?: unknown };
    const op = typeof o.op === 'string' ? o.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw new ScimError(400, `Unknown op ${String(o.op)}`, 'invalidSyntax');
    if (o.path !== undefined && typeof o.path !== 'string') throw new ScimError(400, 'path must be a string', 'invalidPath');
    return { op, path: o.path as string | undefined, value: o.value };
  });
}

export function listResponse(resources: unknown[], total: number, startIndex: number) {
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

/** startIndex is 1-based; count is capped. */
export function paging(query: Record<string, unknown>): { skip: number; take: number; startIndex: number } {
  const startIndex = Math.max(1, Number.parseInt(String(query.startIndex ?? '1'), 10) || 1);
  const count = Number.parseInt(String(query.count ?? '100'), 10);
  return { skip: startIndex - 1, take: Math.min(Math.max(Number.isNaN(count) ? 100 : count, 0), 200), startIndex };
}
