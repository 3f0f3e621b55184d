import { HttpError } from 'react-admin';
import type { DataProvider, GetListResult, Identifier, RaRecord } from 'react-admin';
import { abilityFor } from './abilities';
import { ApiError, apiFetch, fieldErrors, getAbilities } from './session';

// One data provider for the whole console. Lists answer `{ data, total }`, a few
// small ones a bare array or `{ data }`; single records come as themselves.

interface ListQuery {
  pagination?: { page: number; perPage: number };
  sort?: { field: string; order: string };
  filter?: Record<string, unknown>;
}

/** Query parameters some resources always need. */
const fixedQuery: Record<string, Record<string, string>> = {
  // Admins manage every model, disabled ones and embeddings included.
  models: { all: 'true' },
  // The console manages published prompts; personal ones are their owners' alone.
  prompts: { scope: 'published' },
};

/** Turns a record as the API sends it into the shape the forms edit. */
const fromApi: Record<string, (record: RaRecord) => RaRecord> = {
  // Retrieval overrides are nested in responses but flat in requests; flat everywhere in the console.
  assistants: ({ retrieval, ...rest }) => ({ ...rest, ...((retrieval as object | undefined) ?? {}) }),
  // A prompt's groups come as {id, name}; the form edits their ids.
  prompts: (record) => ({ ...record, groupIds: (record.groups as { id: string }[]).map((g) => g.id) }),
};

const present = (resource: string, record: RaRecord) => (fromApi[resource] ? fromApi[resource](record) : record);

function listQuery(resource: string, { pagination, sort, filter }: ListQuery): string {
  const query = new URLSearchParams(fixedQuery[resource]);
  if (pagination) {
    query.set('page', String(pagination.page));
    query.set('pageSize', String(pagination.perPage));
  }
  if (sort?.field && sort.field !== 'id') {
    query.set('sort', sort.field);
    query.set('order', sort.order.toLowerCase());
  }
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    query.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** Paged lists and whole small lists (arrays, `{ data }`) look the same to react-admin. */
function asList<R extends RaRecord>(resource: string, body: unknown): GetListResult<R> {
  if (Array.isArray(body)) return { data: body.map((r) => present(resource, r)) as R[], total: body.length };
  const { data, total } = body as { data: R[]; total?: number };
  return { data: data.map((r) => present(resource, r)) as R[], total: total ?? data.length };
}

const recordPath = (resource: string, id: Identifier) => `/${resource}/${encodeURIComponent(String(id))}`;

/** Only what changed: the API refuses read-only fields and empty updates. */
function changes(data: Record<string, unknown>, previous: Record<string, unknown> | undefined): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === 'id') continue;
    if (previous && JSON.stringify(previous[key]) === JSON.stringify(value)) continue;
    changed[key] = value === '' ? null : value;
  }
  return changed;
}

/**
 * react-admin still runs a list's query while it redirects to "access denied";
 * refusing here keeps the console from asking for what the abilities already refuse.
 */
function assertReadable(resource: string): void {
  if (!abilityFor(getAbilities(), resource, 'list')) throw new HttpError('Not allowed', 403);
}

/** API validation issues become react-admin field errors (shown under each input). */
async function call<T>(request: () => Promise<T>, resource?: string): Promise<T> {
  try {
    if (resource) assertReadable(resource);
    return await request();
  } catch (error) {
    if (error instanceof ApiError) {
      const errors = fieldErrors(error);
      throw new HttpError(error.message, error.status, errors ? { errors } : error.body);
    }
    throw error;
  }
}

export const dataProvider: DataProvider = {
  getList: (resource, params) =>
    call(async () => asList(resource, await apiFetch(`/${resource}${listQuery(resource, params)}`, { signal: params.signal })), resource),

  getOne: (resource, params) =>
    call(async () => ({ data: present(resource, (await apiFetch(recordPath(resource, params.id), { signal: params.signal })) as RaRecord) as never }), resource),

  getMany: (resource, params) =>
    call(async () => ({
      data: (await Promise.all(params.ids.map(async (id) => present(resource, (await apiFetch(recordPath(resource, id), { signal: params.signal })) as RaRecord)))) as never[],
    }), resource),

  getManyReference: (resource, params) => {
    const filter = { ...params.filter, [params.target]: params.id };
    return call(async () => asList(resource, await apiFetch(`/${resource}${listQuery(resource, { ...params, filter })}`, { signal: params.signal })), resource);
  },

  create: (resource, params) =>
    call(async () => {
      const body = Object.fromEntries(Object.entries(params.data as Record<string, unknown>).filter(([, v]) => v !== '' && v !== undefined));
      return { data: present(resource, (await apiFetch(`/${resource}`, { method: 'POST', body: JSON.stringify(body) })) as RaRecord) as never };
    }),

  update: (resource, params) =>
    call(async () => {
      const body = changes(params.data as Record<string, unknown>, params.previousData as Record<string, unknown>);
      if (Object.keys(body).length === 0) return { data: params.previousData as never };
      return { data: present(resource, (await apiFetch(recordPath(resource, params.id), { method: 'PATCH', body: JSON.stringify(body) })) as RaRecord) as never };
    }),

  updateMany: (resource, params) =>
    call(async () => {
      await Promise.all(params.ids.map((id) => apiFetch(recordPath(resource, id), { method: 'PATCH', body: JSON.stringify(params.data) })));
      return { data: params.ids };
    }),

  delete: (resource, params) =>
    call(async () => {
      await apiFetch(recordPath(resource, params.id), { method: 'DELETE' });
      return { data: (params.previousData ?? { id: params.id }) as never };
    }),

  deleteMany: (resource, params) =>
    call(async () => {
      await Promise.all(params.ids.map((id) => apiFetch(recordPath(resource, id), { method: 'DELETE' })));
      return { data: params.ids };
    }),
};
