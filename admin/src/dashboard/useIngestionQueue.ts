import { useEffect, useState } from 'react';
import { apiFetch } from '../session';
import type { KnowledgeFile } from '../knowledge/types';

const WORKING = new Set(['queued', 'extracting', 'chunking', 'embedding']);

export interface IngestionQueue {
  working: KnowledgeFile[];
  failed: number;
}

/**
 * Files still being processed, across the assistants the caller manages. The API has
 * no installation-wide file list, so this asks per assistant (the first 100).
 */
export function useIngestionQueue(): IngestionQueue | undefined {
  const [queue, setQueue] = useState<IngestionQueue>();
  useEffect(() => {
    let stopped = false;
    const load = async () => {
      const assistants = (await apiFetch('/assistants?pageSize=100')) as { data: { id: string; can: { manage: boolean } }[] };
      const lists = await Promise.all(
        assistants.data.filter((a) => a.can.manage).map((a) => apiFetch(`/assistants/${a.id}/files`) as Promise<{ data: KnowledgeFile[] }>),
      );
      const files = lists.flatMap((l) => l.data);
      if (!stopped) setQueue({ working: files.filter((f) => WORKING.has(f.status)), failed: files.filter((f) => f.status === 'failed').length });
    };
    void load().catch(() => undefined);
    const timer = setInterval(() => void load().catch(() => undefined), 10_000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  return queue;
}
