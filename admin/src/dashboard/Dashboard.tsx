import { Card, CardContent, CardHeader, Typography } from '@mui/material';
import { Title, useGetIdentity } from 'react-admin';

export function Dashboard() {
  const { identity } = useGetIdentity();
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Dashboard" />
      <CardHeader title={identity?.fullName ? `Welcome, ${identity.fullName}` : 'Welcome'} />
      <CardContent>
        <Typography variant="body1">
          Manage users from the menu. Assistants, knowledge, providers, quotas, usage and the audit log arrive
          with their own parts of the console.
        </Typography>
      </CardContent>
    </Card>
  );
}
