import { useSyncExternalStore } from 'react';
import { connectionState, onConnectionState, type ConnectionState } from './socket.js';

export function useConnection(): ConnectionState {
  return useSyncExternalStore(onConnectionState, connectionState);
}
