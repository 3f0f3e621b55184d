import type { z } from 'zod';
import type { MessageView, SourceView } from '../../server/src/http/presenters/message.js';
import type { ConversationDetailView, ConversationView } from '../../server/src/http/presenters/conversation.js';
import type { AssistantView } from '../../server/src/http/presenters/assistant.js';
import type { AttachmentView } from '../../server/src/http/presenters/attachment.js';
import type { MyUsageView } from '../../server/src/http/presenters/usage.js';
import type { SessionResponse } from '../../server/src/http/routes/auth/auth.schema.js';
import type { RegisterResponse } from '../../server/src/http/routes/auth/registration.schema.js';
import type { SignInConfig as SignInConfigView } from '../../server/src/http/routes/public/public.schema.js';
import type { CreatedToken, TokenView } from '../../server/src/http/routes/tokens/tokens.schema.js';
import type { SharedConversationView, SharedWithMeView, ShareView } from '../../server/src/http/routes/shares/shares.schema.js';
import type { Checklist } from '../../server/src/http/routes/setup/setup.router.js';
import type { Attachment, ConversationShare, SharedConversation, SharedWithMe } from '../../web/src/api/types.js';
import type { Assistant, Conversation, ConversationDetail, CreatedPersonalToken, Message, MyUsage, PersonalToken, RegisterResult, Session, SetupChecklist, SignInConfig, Source } from '../../web/src/api/types.js';

// The chat app mirrors the API's response types by hand (web/src/api/types.ts)
// so its build needs neither zod nor the server. This file, type-checked with
// the tests (`npx tsc -p tests/tsconfig.json`, in CI), fails when a server
// schema no longer gives the app what it reads: a field renamed, removed or
// changed in type.

type Serves<Server, App> = [Server] extends [App] ? true : false;
const check = <T extends true>(): T => true as T;

export const apiTypesStillMatch = [
  check<Serves<z.infer<typeof SessionResponse>, Session>>(),
  check<Serves<z.infer<typeof AssistantView>, Assistant>>(),
  check<Serves<z.infer<typeof AttachmentView>, Attachment>>(),
  check<Serves<z.infer<typeof Checklist>, SetupChecklist>>(),
  check<Serves<z.infer<typeof ConversationView>, Conversation>>(),
  check<Serves<z.infer<typeof ConversationDetailView>, ConversationDetail>>(),
  check<Serves<z.infer<typeof MessageView>, Message>>(),
  check<Serves<z.infer<typeof SourceView>, Source>>(),
  check<Serves<z.infer<typeof MyUsageView>, MyUsage>>(),
  check<Serves<z.infer<typeof SignInConfigView>, SignInConfig>>(),
  check<Serves<z.infer<typeof RegisterResponse>, RegisterResult>>(),
  check<Serves<z.infer<typeof TokenView>, PersonalToken>>(),
  check<Serves<z.infer<typeof CreatedToken>, CreatedPersonalToken>>(),
  check<Serves<z.infer<typeof ShareView>, ConversationShare>>(),
  check<Serves<z.infer<typeof SharedWithMeView>, SharedWithMe>>(),
  check<Serves<z.infer<typeof SharedConversationView>, SharedConversation>>(),
];
