import {
  ArrayInput,
  BooleanInput,
  CheckboxGroupInput,
  NumberInput,
  ReferenceArrayInput,
  ReferenceInput,
  SelectArrayInput,
  SimpleFormIterator,
  SelectInput,
  TabbedForm,
  TextArrayInput,
  TextInput,
  maxValue,
  minValue,
  required,
} from 'react-admin';
import { useApi } from '../common/useApi';
import { FlowStepsInput } from './FlowSteps';

interface ModelChoice {
  id: string;
  name: string;
  displayName: string | null;
  providerName: string;
}

/** The chat models anyone who manages assistants may pick (enabled, of enabled providers). */
function ModelInputs() {
  const { data } = useApi<{ data: ModelChoice[] }>('/models');
  const choices = (data?.data ?? []).map((m) => ({ id: m.id, name: `${m.displayName ?? m.name} (${m.providerName})` }));
  return (
    <>
      <SelectInput
        source="modelId"
        label="Model"
        choices={choices}
        emptyText="System default"
        isLoading={!data}
        helperText="Optional: until a model is connected, the assistant answers in search mode (the best passages with their citations)"
      />
      <SelectInput
        source="fallbackModelId"
        label="Fallback model"
        choices={choices}
        emptyText="None"
        isLoading={!data}
        helperText="Answers when the model fails before its first word (down, timed out, rate limited, key refused)"
      />
    </>
  );
}

const systemDefault = 'Empty: the system default';

/** Create and edit share one form: instructions, model, tuning, retrieval and sharing. */
export function AssistantForm({ toolbar }: { toolbar?: React.ReactElement | false }) {
  return (
    <TabbedForm toolbar={toolbar}>
      <TabbedForm.Tab label="General">
        <TextInput source="name" validate={required()} />
        <TextInput source="description" multiline fullWidth />
        <TextInput source="instructions" label="Instructions (system prompt)" multiline minRows={6} fullWidth />
      </TabbedForm.Tab>
      <TabbedForm.Tab label="Model">
        <ModelInputs />
        <NumberInput source="temperature" step={0.1} validate={[minValue(0), maxValue(2)]} />
        <NumberInput source="maxTokens" label="Max tokens" validate={[minValue(1), maxValue(200000)]} />
      </TabbedForm.Tab>
      <TabbedForm.Tab label="Retrieval">
        <NumberInput source="topK" label="Top-k passages" helperText={systemDefault} validate={[minValue(1), maxValue(50)]} />
        <NumberInput source="similarityThreshold" step={0.05} helperText={systemDefault} validate={[minValue(0), maxValue(1)]} />
        <NumberInput source="chunkSize" label="Chunk size (tokens)" helperText="Applies to files indexed afterwards" />
        <NumberInput source="chunkOverlap" label="Chunk overlap (tokens)" helperText={systemDefault} />
        <BooleanInput source="knowledgeOnly" label="Answer only from knowledge" />
        <BooleanInput source="attachmentsEnabled" label="Users may attach files and images" defaultValue />
      </TabbedForm.Tab>
      <TabbedForm.Tab label="Tools">
        <CheckboxGroupInput
          source="builtinTools"
          label="Built-in tools the model may call while answering"
          row={false}
          choices={[
            { id: 'search_knowledge', name: 'Search knowledge: search this assistant’s files again with its own query' },
            { id: 'current_time', name: 'Current time: the date and time, in any time zone' },
          ]}
          helperText="Each call is shown to the user and recorded in the audit log. Limits (steps per answer, time and result size) are in Settings → Tools."
        />
      </TabbedForm.Tab>
      <TabbedForm.Tab label="Flow">
        <FlowStepsInput />
      </TabbedForm.Tab>
      <TabbedForm.Tab label="Knowledge bases">
        <ArrayInput source="knowledgeBases" label="Knowledge bases it searches">
          <SimpleFormIterator inline disableReordering>
            <ReferenceInput source="knowledgeBaseId" reference="knowledge-bases" perPage={200}>
              <SelectInput optionText="name" label="Knowledge base" validate={required()} />
            </ReferenceInput>
            <TextArrayInput source="tags" label="Only files tagged (empty: all)" />
          </SimpleFormIterator>
        </ArrayInput>
      </TabbedForm.Tab>
      <TabbedForm.Tab label="Groups">
        <ReferenceArrayInput source="groupIds" reference="groups" perPage={200}>
          <SelectArrayInput optionText="name" label="Groups that may use it" />
        </ReferenceArrayInput>
      </TabbedForm.Tab>
    </TabbedForm>
  );
}
