import { Alert, Button, Stack } from '@mui/material';
import { useFormContext, useWatch } from 'react-hook-form';
import { ArrayInput, SelectInput, SimpleFormIterator, TextInput, required } from 'react-admin';
import { useApi } from '../common/useApi';

// A flow (issue 16): the assistant answers in ordered steps, each with its own
// model and instructions, each seeing the question, the passages and the
// earlier steps' outputs; the last step writes the answer. Steps are added,
// removed and moved up or down here; the API refuses a model the assistant
// could not use as its own.

interface ModelChoice {
  id: string;
  name: string;
  displayName: string | null;
  providerName: string;
}

interface StepValue {
  label: string;
  modelId: string;
  instructions: string;
}

/** Mirrors FLOW_TEMPLATE on the server: draft, review the draft, write the answer from both. */
const TEMPLATE: Omit<StepValue, 'modelId'>[] = [
  { label: 'generate', instructions: 'Write a first answer to the question, using the passages when they help.' },
  { label: 'critique', instructions: 'Review the draft answer above: list factual errors, claims the passages do not support, gaps and unclear wording. Do not rewrite it.' },
  { label: 'refine', instructions: 'Write the final answer to the question: the draft above, corrected and improved following the critique. Reply with the answer only.' },
];

export function FlowStepsInput() {
  const { data } = useApi<{ data: ModelChoice[] }>('/models');
  const choices = (data?.data ?? []).map((m) => ({ id: m.id, name: `${m.displayName ?? m.name} (${m.providerName})` }));
  const { setValue } = useFormContext();
  const steps = (useWatch({ name: 'flowSteps' }) as StepValue[] | null | undefined) ?? [];
  const modelId = useWatch({ name: 'modelId' }) as string | null | undefined;
  const useTemplate = () => {
    const model = modelId ?? choices[0]?.id ?? '';
    setValue('flowSteps', TEMPLATE.map((step) => ({ ...step, modelId: model })), { shouldDirty: true });
  };
  return (
    <Stack sx={{ width: '100%' }} spacing={1}>
      <Alert severity="info">
        {steps.length === 0
          ? 'One model answers. Add steps (at least two) to answer in a flow: each step has its own model and instructions, sees the question, the passages and the earlier steps, and the last step writes the answer.'
          : `The assistant answers in ${steps.length} steps; each is its own model call, counted and charged separately. Users see the earlier steps collapsed above the answer. Tools are not offered in a flow.`}
      </Alert>
      <div>
        <Button variant="outlined" size="small" onClick={useTemplate} disabled={!data}>
          Use the generate → critique → refine template
        </Button>
      </div>
      <ArrayInput source="flowSteps" label="Steps, in order">
        <SimpleFormIterator getItemLabel={(index: number) => `Step ${index + 1}`} fullWidth>
          <TextInput source="label" label="Label" validate={required()} helperText="Shown above the step's output, e.g. critique" />
          <SelectInput source="modelId" label="Model" choices={choices} isLoading={!data} validate={required()} />
          <TextInput source="instructions" label="Instructions" multiline minRows={2} fullWidth />
        </SimpleFormIterator>
      </ArrayInput>
    </Stack>
  );
}
