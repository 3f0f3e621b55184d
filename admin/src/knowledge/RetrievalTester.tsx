import { Box, Button, Card, CardContent, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { apiFetch } from '../session';
import type { Passage } from './types';

/** Shows the passages a question would retrieve, with scores and sources, before anyone asks it in chat. */
export function RetrievalTester({ assistantId }: { assistantId: string }) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Passage[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const search = async () => {
    setBusy(true);
    setError(null);
    try {
      const body = (await apiFetch(`/assistants/${assistantId}/search`, { method: 'POST', body: JSON.stringify({ query, topK: 5 }) })) as { results: Passage[] };
      setResults(body.results);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack spacing={1}>
      <Box
        component="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (query.trim()) void search();
        }}
        sx={{ display: 'flex', gap: 1 }}
      >
        <TextField size="small" fullWidth label="A question" value={query} onChange={(e) => setQuery(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'retrieval-query' } }} />
        <Button type="submit" variant="contained" disabled={busy || !query.trim()}>
          Search
        </Button>
      </Box>
      {error && <Typography color="error">{error}</Typography>}
      {results && results.length === 0 && <Typography>No passage passes the similarity threshold.</Typography>}
      {results?.map((p, i) => (
        <Card key={`${p.fileId}-${i}`} variant="outlined" data-testid="passage">
          <CardContent sx={{ py: 1, '&:last-child': { pb: 1 } }}>
            <Typography variant="subtitle2">
              #{i + 1} · score {p.score.toFixed(3)} · {p.fileName}
              {p.page != null ? `, page ${p.page}` : ''}
              {p.section ? ` · ${p.section}` : ''}
            </Typography>
            <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap' }}>
              {p.text.length > 600 ? `${p.text.slice(0, 600)}…` : p.text}
            </Typography>
          </CardContent>
        </Card>
      ))}
    </Stack>
  );
}
