import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import RadioButtonUncheckedIcon from '@mui/icons-material/RadioButtonUnchecked';
import { Card, CardContent, CardHeader, List, ListItemButton, ListItemIcon, ListItemText } from '@mui/material';
import { Link } from 'react-router-dom';
import { useApi } from '../common/useApi';

// First run: the steps that lead the first admin to a working assistant; each
// ticks itself from what exists and links to the screen that does it.

interface Checklist {
  steps: { id: string; title: string; done: boolean; link: string; hint?: string }[];
  complete: boolean;
}

export function SetupChecklist() {
  const { data } = useApi<Checklist>('/setup/checklist');
  if (!data || data.complete) return null;
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
      </CardContent>
    </Card>
  );
}
