import type {
  CreateParams,
  CreateResult,
  DataProvider,
  DeleteManyParams,
  DeleteManyResult,
  DeleteParams,
  DeleteResult,
  GetListParams,
  GetListResult,
  GetManyParams,
  GetManyReferenceParams,
  GetManyReferenceResult,
  GetManyResult,
  GetOneParams,
  GetOneResult,
  Identifier,
  RaRecord,
  UpdateManyParams,
  UpdateManyResult,
  UpdateParams,
  UpdateResult,
} from 'react-admin';
import { apiFetch } from './session';

/** List endpoints answer `{ data, total }` and take page, pageSize, sort, order and q. */
interface ListResponse<R> {
  data: R[];
  total: number;
}

interface ListQuery {
  pagination?: { page: number; perPage: number };
  sort?: { field: string; order: string };
  filter?: Record<string, unknown>;
}

/** Single-record endpoints may answer the record itself or `{ data: record }`. */
function unwrapRecord<R extends RaRecord>(body: unknown): R {
  if (body && typeof body === 'object' && 'data' in body) {
    const inner = (body as { data: unknown }).data;
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) return inner as R;
  }
  return body as R;
}

function listQuery({ pagination, sort, filter }: ListQuery): string {
  const query = new URLSearchParams();
  if (pagination) {
    query.set('page', String(pagination.page));
    query.set('pageSize', String(pagination.perPage));
  }
  if (sort?.field) {
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

async function fetchList<R extends RaRecord>(path: string, signal?: AbortSignal): Promise<GetListResult<R>> {
  const body = (await apiFetch(path, { signal })) as ListResponse<R>;
  return { data: body.data, total: body.total };
}

const recordPath = (resource: string, id: Identifier) => `/${resource}/${encodeURIComponent(String(id))}`;

const jsonBody = (data: unknown): RequestInit['body'] => JSON.stringify(data);

export const dataProvider: DataProvider = {
  getList<R extends RaRecord>(resource: string, params: GetListParams): Promise<GetListResult<R>> {
    return fetchList<R>(`/${resource}${listQuery(params)}`, params.signal);
  },

  async getOne<R extends RaRecord>(resource: string, params: GetOneParams<R>): Promise<GetOneResult<R>> {
    return { data: unwrapRecord<R>(await apiFetch(recordPath(resource, params.id), { signal: params.signal })) };
  },

  async getMany<R extends RaRecord>(resource: string, params: GetManyParams<R>): Promise<GetManyResult<R>> {
    const records = await Promise.all(
      params.ids.map(async (id) => unwrapRecord<R>(await apiFetch(recordPath(resource, id), { signal: params.signal }))),
    );
    return { data: records };
  },

  getManyReference<R extends RaRecord>(
    resource: string,
    params: GetManyReferenceParams,
  ): Promise<GetManyReferenceResult<R>> {
    const filter = { ...params.filter, [params.target]: params.id };
    return fetchList<R>(`/${resource}${listQuery({ ...params, filter })}`, params.signal);
  },

  async create<R extends Omit<RaRecord, 'id'>, Result extends RaRecord = R & { id: Identifier }>(
    resource: string,
    params: CreateParams<R>,
  ): Promise<CreateResult<Result>> {
    const body = await apiFetch(`/${resource}`, { method: 'POST', body: jsonBody(params.data) });
    return { data: unwrapRecord<Result>(body) };
  },

  async update<R extends RaRecord>(resource: string, params: UpdateParams<R>): Promise<UpdateResult<R>> {
    const body = await apiFetch(recordPath(resource, params.id), { method: 'PATCH', body: jsonBody(params.data) });
    return { data: unwrapRecord<R>(body) };
  },

  async updateMany<R extends RaRecord>(resource: string, params: UpdateManyParams<R>): Promise<UpdateManyResult<R>> {
    await Promise.all(
      params.ids.map((id) => apiFetch(recordPath(resource, id), { method: 'PATCH', body: jsonBody(params.data) })),
    );
    return { data: params.ids };
  },

  async delete<R extends RaRecord>(resource: string, params: DeleteParams<R>): Promise<DeleteResult<R>> {
    await apiFetch(recordPath(resource, params.id), { method: 'DELETE' });
    return { data: params.previousData ?? ({ id: params.id } as R) };
  },

  async deleteMany<R extends RaRecord>(resource: string, params: DeleteManyParams<R>): Promise<DeleteManyResult<R>> {
    await Promise.all(params.ids.map((id) => apiFetch(recordPath(resource, id), { method: 'DELETE' })));
    return { data: params.ids };
  },
};
