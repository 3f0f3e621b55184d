export type FileStatus = 'queued' | 'extracting' | 'chunking' | 'embedding' | 'ready' | 'failed';

/** A knowledge file as the API presents it (REST and `file:updated`). */
export interface KnowledgeFile {
  id: string;
  knowledgeBaseId: string;
  name: string;
  folder: string;
  tags: string[];
  mimeType: string;
  sizeBytes: number;
  status: FileStatus;
  progress: number;
  error: string | null;
  pageCount: number | null;
  chunkCount: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * Whose files a panel shows: an assistant's own base (its Knowledge tab, the
 * /assistants/:id/files routes) or a knowledge base.
 */
export type FilesOwner = { kind: 'assistant'; id: string } | { kind: 'knowledgeBase'; id: string };

export const filesPath = (owner: FilesOwner) => (owner.kind === 'assistant' ? `/assistants/${owner.id}/files` : `/knowledge-bases/${owner.id}/files`);
/** Processing a file again: `reindex` on the assistant routes, `retry` on a base's. */
export const retryAction = (owner: FilesOwner) => (owner.kind === 'assistant' ? 'reindex' : 'retry');

/** A file still on its way to the server. */
export interface PendingUpload {
  key: string;
  name: string;
  loaded: number;
  total: number;
  error?: string;
}

export interface Passage {
  fileId: string;
  fileName: string;
  page: number | null;
  section: string | null;
  text: string;
  score: number;
}
