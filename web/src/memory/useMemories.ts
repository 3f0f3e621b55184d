import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { fetchMemories, fetchMemorySettings } from '../api/memory.js';
import { chatSocket } from '../chat/socket.js';

export const memoriesKey = ['me', 'memories'] as const;
export const memorySettingsKey = ['me', 'memory'] as const;

export const useMemorySettings = () => useQuery({ queryKey: memorySettingsKey, queryFn: ({ signal }) => fetchMemorySettings(signal) });

/**
 * The user's memories, refreshed when the server says new proposals arrived
 * (socket `memory:proposed`, which carries a count, never the notes).
 */
export function useMemories() {
  const client = useQueryClient();
  useEffect(() => {
    const socket = chatSocket();
    const refresh = () => void client.invalidateQueries({ queryKey: memoriesKey });
    socket.on('memory:proposed', refresh);
    return () => {
      socket.off('memory:proposed', refresh);
    };
  }, [client]);
  return useQuery({ queryKey: memoriesKey, queryFn: ({ signal }) => fetchMemories(signal) });
}

/** How many proposals await the user: the badge on the account menu. */
export function useProposalCount(): number {
  return useMemories().data?.proposed ?? 0;
}
