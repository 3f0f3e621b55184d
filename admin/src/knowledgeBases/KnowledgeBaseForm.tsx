import { ReferenceArrayInput, SelectArrayInput, SelectInput, SimpleForm, TextArrayInput, TextInput, required } from 'react-admin';
import { useApi } from '../common/useApi';

/** Name, description, tags, full-text language, and the groups that maintain and read the base. */
export function KnowledgeBaseForm({ toolbar }: { toolbar?: React.ReactElement | false }) {
  const { data } = useApi<{ data: string[] }>('/knowledge-bases/languages');
  const languages = (data?.data ?? ['english']).map((name) => ({ id: name, name }));
  return (
    <SimpleForm toolbar={toolbar}>
      <TextInput source="name" validate={required()} />
      <TextInput source="description" multiline fullWidth />
      <TextArrayInput source="tags" helperText="Press Enter after each tag" />
      <SelectInput
        source="language"
        label="Full-text language"
        choices={languages}
        defaultValue="english"
        isLoading={!data}
        helperText="How words are reduced to their stems for full-text search; changing it re-parses the files (no re-embedding)"
      />
      <ReferenceArrayInput source="maintainerGroupIds" reference="groups" perPage={200}>
        <SelectArrayInput optionText="name" label="Maintained by (their managers manage the files)" />
      </ReferenceArrayInput>
      <ReferenceArrayInput source="readerGroupIds" reference="groups" perPage={200}>
        <SelectArrayInput optionText="name" label="Readable by (members receive its passages)" />
      </ReferenceArrayInput>
    </SimpleForm>
  );
}
