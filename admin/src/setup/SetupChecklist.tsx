import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import RadioButtonUncheckedIcon from '@mui/icons-material/RadioButtonUnchecked';
import { Card, CardContent, CardHeader, FormControlLabel, List, ListItemButton, ListItemIcon, ListItemText, Switch } from '@mui/material';
import { Link } from 'react-router-dom';
import { useApi } from '../common/useApi';
import { apiFetch } from '../session';

// First run: the steps that lead the first admin to a working assistant; each
// ticks itself from what exists and links to the screen that does it.

interface Checklist {
  steps: { id: string; title: string; done: boolean; link: string; hint?: string }[];
  complete: boolean;
  everyone: { id: string; joinByDefault: boolean } | null;
}

export function SetupChecklist() {
  const { data, reload } = useApi<Checklist>('/setup/checklist');
  if (!data || data.complete) return null;
  const setEveryone = (joinByDefault: boolean) => void apiFetch('/setup/everyone', { method: 'PUT', body: JSON.stringify({ joinByDefault }) }).then(reload);
  return (
    <Card data-testid="setup-checklist">
      <CardHeader title="Set up Atrium" subheader={`${data.steps.filter((s) => s.done).length} of ${data.steps.length} done`} />
      <CardContent>
        <List dense>
          {data.steps.map((step) => (
            <ListItemButton key={step.id} component={Link} to={step.link} data-step={step.id} data-done={step.done}>
              <ListItemIcon>{step.done ? <CheckCircleIcon color="success" /> : <RadioButtonUncheckedIcon />}</ListItemIcon>
              <ListItemText primary={step.title} secondary={step.hint} />
            </ListItemButton>
          ))}
        </List>
        {/* The "Everyone" group: all accounts, and new ones join it while this is on. */}
        <FormControlLabel
          control={<Switch checked={Boolean(data.everyone?.joinByDefault)} onChange={(e) => setEveryone(e.target.checked)} />}
          label={data.everyone ? 'New accounts join the “Everyone” group' : 'Create an “Everyone” group with every account (new ones join it too)'}
        />
      </CardContent>
    </Card>
  );
}
