import { useCallback, useEffect, useState } from 'react';
import { apiFetch } from '../session';

/** A GET against the API, refetched when the path changes; `null` path skips it. */
export function useApi<T>(path: string | null) {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (!path) return;
    const controller = new AbortController();
    apiFetch(path, { signal: controller.signal }).then(
      (body) => {
        setData(body as T);
        setError(undefined);
      },
      (e: Error) => {
        if (!controller.signal.aborted) setError(e);
      },
    );
    return () => controller.abort();
  }, [path, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { data, error, loading: path !== null && data === undefined && error === undefined, reload };
}
