import { API_URL, getAccessToken, refresh } from '../session';
import { filesPath, type FilesOwner, type KnowledgeFile } from './types';

interface UploadAnswer {
  files: KnowledgeFile[];
  rejected: { name: string; reason: string }[];
}

/**
 * Uploads one file with XMLHttpRequest, the only browser API that reports upload
 * progress. One request per file gives each file its own progress bar.
 */
function send(url: string, file: File, onProgress: (loaded: number, total: number) => void): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    const token = getAccessToken();
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error('Network error while uploading'));
    const form = new FormData();
    form.append('files', file, file.name);
    xhr.send(form);
  });
}

/** Into the owner's files; a base's uploads may name a folder and tags. */
export async function uploadKnowledgeFile(
  owner: FilesOwner,
  file: File,
  onProgress: (loaded: number, total: number) => void,
  placement: { folder?: string; tags?: string } = {},
): Promise<UploadAnswer> {
  const query = new URLSearchParams(Object.entries(placement).filter(([, v]) => v) as [string, string][]).toString();
  const url = `${API_URL}${filesPath(owner)}${query ? `?${query}` : ''}`;
  let answer = await send(url, file, onProgress);
  if (answer.status === 401 && (await refresh())) answer = await send(url, file, onProgress);
  if (answer.status >= 200 && answer.status < 300) return answer.body as UploadAnswer;
  const message = (answer.body as { error?: { message?: string } } | undefined)?.error?.message;
  throw new Error(message ?? `Upload failed (HTTP ${answer.status})`);
}
