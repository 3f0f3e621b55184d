import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface Totals {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: number;
}

export interface UsageRow extends Totals {
  key: string | null;
  name: string;
  detail: string | null;
}

export interface TimeSeries {
  dates: string[];
  series: { key: string | null; name: string; points: (Totals & { date: string })[] }[];
}

export type Metric = 'cost' | 'totalTokens' | 'requests';

export const metricLabels: Record<Metric, string> = { cost: 'Cost (USD)', totalTokens: 'Tokens', requests: 'Requests' };

const palette = ['#1f6feb', '#d9480f', '#2b8a3e', '#862e9c', '#e67700', '#0b7285', '#c2255c', '#5c940d', '#364fc7', '#495057'];

/** One line per key (user, group, assistant or model), one point per day. */
export function UsageOverTime({ data, metric, height = 300 }: { data: TimeSeries; metric: Metric; height?: number }) {
  const rows = data.dates.map((date, i) => {
    const row: Record<string, number | string> = { date: date.slice(5) };
    for (const s of data.series) row[s.name] = s.points[i]?.[metric] ?? 0;
    return row;
  });
  return (
    <ResponsiveContainer width="100%" height={height}>
      <LineChart data={rows}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="date" />
        <YAxis />
        <Tooltip />
        <Legend />
        {data.series.map((s, i) => (
          <Line key={s.key ?? s.name} type="monotone" dataKey={s.name} stroke={palette[i % palette.length]} dot={false} isAnimationActive={false} />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}

/** Daily totals over every key: the whole installation's use. */
export function TotalsOverTime({ data, height = 240 }: { data: TimeSeries; height?: number }) {
  const rows = data.dates.map((date, i) => ({
    date: date.slice(5),
    tokens: data.series.reduce((sum, s) => sum + (s.points[i]?.totalTokens ?? 0), 0),
    cost: Number(data.series.reduce((sum, s) => sum + (s.points[i]?.cost ?? 0), 0).toFixed(4)),
  }));
  return (
    <ResponsiveContainer width="100%" height={height}>
      <LineChart data={rows}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="date" />
        <YAxis yAxisId="tokens" />
        <YAxis yAxisId="cost" orientation="right" />
        <Tooltip />
        <Legend />
        <Line yAxisId="tokens" type="monotone" dataKey="tokens" name="Tokens" stroke={palette[0]} dot={false} isAnimationActive={false} />
        <Line yAxisId="cost" type="monotone" dataKey="cost" name="Cost (USD)" stroke={palette[1]} dot={false} isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}

export function UsageBars({ rows, metric, height = 300 }: { rows: UsageRow[]; metric: Metric; height?: number }) {
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={rows.slice(0, 15).map((r) => ({ name: r.name, value: r[metric] }))}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="name" />
        <YAxis />
        <Tooltip />
        <Bar dataKey="value" name={metricLabels[metric]} fill={palette[0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
