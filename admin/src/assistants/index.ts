import SmartToyIcon from '@mui/icons-material/SmartToy';
import { AssistantCreate, AssistantEdit } from './AssistantEdit';
import { AssistantList } from './AssistantList';

export default {
  name: 'assistants',
  list: AssistantList,
  create: AssistantCreate,
  edit: AssistantEdit,
  icon: SmartToyIcon,
  recordRepresentation: 'name',
  options: { label: 'Assistants' },
};
