import { useQuery } from '@tanstack/react-query';
import { fetchHealth, type HealthStatus } from './api';

const HEALTH_REFRESH_MS = 30_000;

export function App() {
  const health = useQuery({
    queryKey: ['health'],
    queryFn: ({ signal }) => fetchHealth(signal),
    refetchInterval: HEALTH_REFRESH_MS,
  });

  return (
    <main className="page">
      <section className="card" aria-labelledby="title">
        <h1 id="title">Atrium</h1>
        <p className="tagline">Chat with your company&apos;s assistants, answered from your own knowledge.</p>

        <ServerStatus
          isPending={health.isPending}
          error={health.error}
          data={health.data}
          onRetry={() => void health.refetch()}
        />

        <p className="hint">Sign-in and chat arrive with the chat app. Administrators can use the <a href="/admin/">console</a>.</p>
      </section>
    </main>
  );
}

interface ServerStatusProps {
  isPending: boolean;
  error: Error | null;
  data: HealthStatus | undefined;
  onRetry: () => void;
}

function ServerStatus({ isPending, error, data, onRetry }: ServerStatusProps) {
  if (isPending) {
    return (
      <p className="status status--pending" role="status">
        Checking server…
      </p>
    );
  }
  if (error || !data) {
    return (
      <div className="status status--down" role="alert">
        <span>Server unreachable: {error?.message ?? 'no answer'}</span>
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      </div>
    );
  }
  const healthy = data.status === 'ok';
  return (
    <p className={`status ${healthy ? 'status--up' : 'status--down'}`} role="status">
      Server status: <strong>{data.status}</strong>
    </p>
  );
}
