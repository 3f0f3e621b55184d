export type FileStatus = 'queued' | 'extracting' | 'chunking' | 'embedding' | 'ready' | 'failed';

/** A knowledge file as the API presents it (REST and `file:updated`). */
export interface KnowledgeFile {
  id: string;
  assistantId: string;
  name: string;
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
