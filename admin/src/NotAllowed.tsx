import { Box, Button, Card, CardContent, Typography } from '@mui/material';
import { Link } from 'react-router-dom';

/** Staff (role `user`) may not open the console: say so plainly and point to the chat app. */
export function NotAllowed() {
  return (
    <Box sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', bgcolor: 'grey.100' }}>
      <Card sx={{ maxWidth: 480 }} data-testid="not-allowed">
        <CardContent>
          <Typography variant="h5" gutterBottom>
            Not allowed
          </Typography>
          <Typography gutterBottom>
            The Atrium console is for administrators and managers. Your account can use the chat app.
          </Typography>
          <Box sx={{ display: 'flex', gap: 2, mt: 2 }}>
            <Button variant="contained" href="/">
              Open the chat app
            </Button>
            <Button component={Link} to="/login">
              Sign in as someone else
            </Button>
          </Box>
        </CardContent>
      </Card>
    </Box>
  );
}
