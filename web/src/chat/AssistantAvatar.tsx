import { useQuery } from '@tanstack/react-query';
import { fetchAvatar } from '../api/endpoints.js';
import type { Assistant } from '../api/types.js';

// Avatars are behind the bearer token, so they come as blobs; the URL
// carries a version, so one fetch per avatar per session is enough.

const HUES = [210, 160, 280, 20, 330, 45, 190];

function hueOf(id: string): number {
  let sum = 0;
  for (const ch of id) sum = (sum * 31 + ch.charCodeAt(0)) >>> 0;
  return HUES[sum % HUES.length]!;
}

export function AssistantAvatar({ assistant, size = 40 }: { assistant: Assistant | undefined; size?: number }) {
  const url = assistant?.avatarUrl ?? null;
  const image = useQuery({
    queryKey: ['avatar', url],
    queryFn: ({ signal }) => fetchAvatar(url!, signal),
    enabled: !!url,
    staleTime: Infinity,
    gcTime: Infinity,
  });
  const style = { width: size, height: size };
  if (image.data) return <img className="avatar" src={image.data} alt="" style={style} />;
  const initial = assistant?.name.trim().charAt(0).toUpperCase() || 'A';
  return (
    <span className="avatar avatar--initial" aria-hidden="true" style={{ ...style, fontSize: size * 0.45, background: `hsl(${hueOf(assistant?.id ?? 'x')} 55% 45%)` }}>
      {initial}
    </span>
  );
}
