import { Card, CardContent, LinearProgress, Typography } from '@mui/material';
import type { ReactNode } from 'react';

export function StatCard({ label, value, detail, progress, testId }: { label: string; value: ReactNode; detail?: ReactNode; progress?: number; testId?: string }) {
  return (
    <Card sx={{ flex: 1, minWidth: 180 }} data-testid={testId}>
      <CardContent>
        <Typography variant="overline">{label}</Typography>
        <Typography variant="h5">{value}</Typography>
        {progress !== undefined && (
          <LinearProgress variant="determinate" value={Math.min(100, progress)} color={progress >= 100 ? 'error' : progress >= 80 ? 'warning' : 'primary'} sx={{ my: 1 }} />
        )}
        {detail && <Typography variant="body2" color="text.secondary">{detail}</Typography>}
      </CardContent>
    </Card>
  );
}
