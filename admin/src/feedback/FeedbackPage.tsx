import DownloadIcon from '@mui/icons-material/Download';
import { Box, Button, Card, CardContent, CardHeader, Chip, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { Title, useNotify } from 'react-admin';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { isoDay } from '../common/choices';
import { useApi } from '../common/useApi';
import { downloadFile } from '../session';

// What staff said about the answers, and what the knowledge did not cover, for
// the assistants the reader maintains (admins: all; managers: theirs).

interface NegativeAnswer {
  id: string;
  assistant: { id: string; name: string };
  question: string;
  answer: string;
  sources: { fileName: string; page: number | null }[];
  reasons: string[];
  comment: string | null;
  createdAt: string;
}
interface Gaps {
  weakBelow: number;
  groups: { question: string; count: number; lastAskedAt: string; questions: { messageId: string; question: string; assistant: { name: string }; passageCount: number; topScore: number | null }[] }[];
}
interface Trend {
  dates: string[];
  up: number[];
  down: number[];
  gaps: number[];
}

const REASONS: Record<string, string> = { wrong: 'Wrong', outdated: 'Outdated', not_found_in_documents: 'Not found in the documents', unsafe: 'Unsafe', other: 'Other' };
const daysAgo = (n: number) => isoDay(new Date(Date.now() - n * 86_400_000));
const clip = (text: string, n = 240) => (text.length > n ? `${text.slice(0, n)}…` : text);

export function FeedbackPage() {
  const notify = useNotify();
  const [from, setFrom] = useState(daysAgo(29));
  const [to, setTo] = useState(daysAgo(0));
  const [assistantId, setAssistantId] = useState('');
  const [knowledgeBaseId, setKnowledgeBaseId] = useState('');
  const query = new URLSearchParams({ from, to, ...(assistantId ? { assistantId } : {}), ...(knowledgeBaseId ? { knowledgeBaseId } : {}) }).toString();
  const assistants = useApi<{ data: { id: string; name: string }[] }>('/assistants?pageSize=200&sort=name&order=asc');
  const bases = useApi<{ data: { id: string; name: string; can?: { manage?: boolean } }[] }>('/knowledge-bases?pageSize=200');
  const negative = useApi<{ data: NegativeAnswer[]; total: number }>(`/feedback/negative?${query}&pageSize=100`);
  const gaps = useApi<Gaps>(`/feedback/gaps?${query}`);
  const trend = useApi<Trend>(`/feedback/trend?${query}`);
  const download = (kind: 'negative' | 'gaps') =>
    downloadFile(`/feedback/export.csv?${query}&kind=${kind}`, `feedback-${kind}-${from}-to-${to}.csv`).catch((e: Error) => notify(e.message, { type: 'error' }));

  return (
    <Box sx={{ mt: 2 }}>
      <Title title="Feedback" />
      <Stack direction="row" spacing={2} sx={{ mb: 2, alignItems: 'center', flexWrap: 'wrap' }}>
        <TextField size="small" fullWidth={false} sx={{ width: 170 }} type="date" label="From" value={from} onChange={(e) => setFrom(e.target.value)} slotProps={{ inputLabel: { shrink: true } }} />
        <TextField size="small" fullWidth={false} sx={{ width: 170 }} type="date" label="To" value={to} onChange={(e) => setTo(e.target.value)} slotProps={{ inputLabel: { shrink: true } }} />
        <TextField size="small" fullWidth={false} select label="Assistant" value={assistantId} onChange={(e) => setAssistantId(e.target.value)} sx={{ minWidth: 200 }}>
          <MenuItem value="">All I maintain</MenuItem>
          {assistants.data?.data.map((a) => (
            <MenuItem key={a.id} value={a.id}>
              {a.name}
            </MenuItem>
          ))}
        </TextField>
        <TextField size="small" fullWidth={false} select label="Knowledge base" value={knowledgeBaseId} onChange={(e) => setKnowledgeBaseId(e.target.value)} sx={{ minWidth: 200 }}>
          <MenuItem value="">Any</MenuItem>
          {bases.data?.data.filter((b) => b.can?.manage).map((b) => (
            <MenuItem key={b.id} value={b.id}>
              {b.name}
            </MenuItem>
          ))}
        </TextField>
        <Button startIcon={<DownloadIcon />} onClick={() => void download('negative')}>
          Negative answers CSV
        </Button>
        <Button startIcon={<DownloadIcon />} onClick={() => void download('gaps')}>
          Knowledge gaps CSV
        </Button>
      </Stack>
      {(negative.error ?? gaps.error) && <Typography color="error">{(negative.error ?? gaps.error)!.message}</Typography>}

      <Card sx={{ mb: 2 }}>
        <CardHeader title="Per day" subheader="Thumbs up, thumbs down, and questions the knowledge did not cover" />
        <CardContent>{trend.data ? <TrendChart trend={trend.data} /> : <Typography>Loading…</Typography>}</CardContent>
      </Card>

      <Card sx={{ mb: 2 }}>
        <CardHeader title={`Answers with negative feedback${negative.data ? ` (${negative.data.total})` : ''}`} />
        <Table size="small" aria-label="Answers with negative feedback">
          <TableHead>
            <TableRow>
              <TableCell>When</TableCell>
              <TableCell>Assistant</TableCell>
              <TableCell>Question</TableCell>
              <TableCell>Answer</TableCell>
              <TableCell>Sources</TableCell>
              <TableCell>Reasons</TableCell>
              <TableCell>Comment</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {negative.data?.data.map((r) => (
              <TableRow key={r.id}>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>{new Date(r.createdAt).toLocaleString()}</TableCell>
                <TableCell>{r.assistant.name}</TableCell>
                <TableCell>{r.question}</TableCell>
                <TableCell>{clip(r.answer)}</TableCell>
                <TableCell>{r.sources.map((s) => (s.page === null ? s.fileName : `${s.fileName} p.${s.page}`)).join(', ') || '—'}</TableCell>
                <TableCell>
                  {r.reasons.map((reason) => (
                    <Chip key={reason} size="small" label={REASONS[reason] ?? reason} sx={{ mr: 0.5, mb: 0.5 }} />
                  ))}
                </TableCell>
                <TableCell>{r.comment ?? ''}</TableCell>
              </TableRow>
            ))}
            {negative.data?.data.length === 0 && (
              <TableRow>
                <TableCell colSpan={7}>No negative feedback in this range.</TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </Card>

      <Card>
        <CardHeader title="Knowledge gaps" subheader={gaps.data ? `Questions where retrieval found nothing, or nothing above ${gaps.data.weakBelow.toFixed(2)} similarity, grouped by similar question` : undefined} />
        <Table size="small" aria-label="Knowledge gaps">
          <TableHead>
            <TableRow>
              <TableCell>Asked</TableCell>
              <TableCell>Question</TableCell>
              <TableCell>Also asked as</TableCell>
              <TableCell>Last asked</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {gaps.data?.groups.map((g) => (
              <TableRow key={g.questions[0]!.messageId}>
                <TableCell>{g.count}×</TableCell>
                <TableCell>
                  {g.question}
                  <Typography variant="caption" component="div" color="text.secondary">
                    {[...new Set(g.questions.map((q) => q.assistant.name))].join(', ')}
                  </Typography>
                </TableCell>
                <TableCell>{g.questions.slice(1, 4).map((q) => q.question).join(' · ')}</TableCell>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>{new Date(g.lastAskedAt).toLocaleDateString()}</TableCell>
              </TableRow>
            ))}
            {gaps.data?.groups.length === 0 && (
              <TableRow>
                <TableCell colSpan={4}>No knowledge gaps in this range.</TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </Card>
    </Box>
  );
}

function TrendChart({ trend }: { trend: Trend }) {
  const rows = trend.dates.map((date, i) => ({ date: date.slice(5), 'Thumbs up': trend.up[i], 'Thumbs down': trend.down[i], 'Knowledge gaps': trend.gaps[i] }));
  return (
    <ResponsiveContainer width="100%" height={260}>
      <LineChart data={rows}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="date" />
        <YAxis allowDecimals={false} />
        <Tooltip />
        <Legend />
        <Line type="monotone" dataKey="Thumbs up" stroke="#2b8a3e" dot={false} isAnimationActive={false} />
        <Line type="monotone" dataKey="Thumbs down" stroke="#d9480f" dot={false} isAnimationActive={false} />
        <Line type="monotone" dataKey="Knowledge gaps" stroke="#1f6feb" dot={false} isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}
