import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App } from './App.js';
import { asApiError } from './api/errors.js';
import './styles.css';
import './staff.css';
import { applyStoredTheme } from './ui/theme.js';

applyStoredTheme();

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Refusals (4xx) are answers, not hiccups: only network and server errors are retried.
      retry: (count, error) => {
        const status = asApiError(error).status;
        return (status === 0 || status >= 500) && count < 2;
      },
      refetchOnWindowFocus: false,
      staleTime: 10_000,
    },
  },
});

const container = document.getElementById('root');
if (!container) throw new Error('Missing #root element in index.html');

createRoot(container).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
