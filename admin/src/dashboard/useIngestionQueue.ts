import { useEffect, useState } from 'react';
import { apiFetch } from '../session';
import type { KnowledgeFile } from '../knowledge/types';

const WORKING = new Set(['queued', 'extracting', 'chunking', 'embedding']);

export interface IngestionQueue {
  working: KnowledgeFile[];
  failed: number;
}

/**
 * Files still being processed, across the knowledge bases the caller manages. The API has
 * no installation-wide file list, so this asks per base (the first 100).
 */
export function useIngestionQueue(): IngestionQueue | undefined {
  const [queue, setQueue] = useState<IngestionQueue>();
  useEffect(() => {
    let stopped = false;
    const load = async () => {
      const bases = (await apiFetch('/knowledge-bases?pageSize=100')) as { data: { id: string; can: { manage: boolean } }[] };
      const lists = await Promise.all(
        bases.data.filter((b) => b.can.manage).map((b) => apiFetch(`/knowledge-bases/${b.id}/files`) as Promise<{ data: KnowledgeFile[] }>),
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
