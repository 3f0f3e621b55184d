import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { fetchAssistants, logout } from './api/endpoints.js';
import type { User } from './api/types.js';
import { AssistantPicker } from './chat/AssistantPicker.js';
import { ChatView } from './chat/ChatView.js';
import { closeChatSocket } from './chat/socket.js';
import { keys } from './chat/threadCache.js';
import { useThreadQuery } from './chat/useConversation.js';
import { useChatEvents } from './chat/useChatEvents.js';
import { useConnection } from './chat/useConnection.js';
import { useSignInConfig } from './auth/branding.js';
import { Sidebar } from './conversations/Sidebar.js';
import { QuotaBanner, QuotaWidget } from './quota/Quota.js';
import { MenuIcon, MoonIcon, SunIcon } from './ui/icons.js';
import { parseRoute, usePath } from './ui/route.js';
import { useTheme } from './ui/theme.js';
import { UserMenu } from './ui/UserMenu.js';
import { TokensPage } from './tokens/TokensPage.js';
import { PromptsPage } from './prompts/PromptsPage.js';
import { MemoryPage } from './memory/MemoryPage.js';
import { SharedConversationPage } from './sharing/SharedConversationPage.js';
import { SharedWithMePage } from './sharing/SharedWithMePage.js';

export function ChatApp({ user }: { user: User }) {
  const client = useQueryClient();
  useChatEvents();
  useEffect(() => () => closeChatSocket(), []);
  // Fetch the Markdown renderer while the user picks an assistant.
  useEffect(() => void import('./chat/Markdown.js'), []);
  const route = parseRoute(usePath());
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const [theme, resolvedTheme, setTheme] = useTheme();
  const connection = useConnection();
  const assistants = useQuery({ queryKey: keys.assistants, queryFn: ({ signal }) => fetchAssistants(signal) });
  const list = assistants.data?.data ?? [];

  const conversationId = route.name === 'conversation' ? route.id : null;
  const thread = useThreadQuery(conversationId).data;
  const brand = useSignInConfig();
  const title = route.name === 'memory' ? 'Memory' : route.name === 'prompts' ? 'Prompts' : route.name === 'sharedWithMe' ? 'Shared with me' : route.name === 'shared' ? 'Shared conversation' : route.name === 'home' ? 'New chat' : route.name === 'tokens' ? 'Access tokens' : (thread?.title ?? list.find((a) => route.name === 'new' && a.id === route.assistantId)?.name ?? brand.productName);
  useEffect(() => {
    document.title = `${title} · ${brand.productName}`;
  }, [title, brand.productName]);

  const dark = resolvedTheme === 'dark';
  async function signOut() {
    closeChatSocket();
    await logout();
    client.clear();
  }

  return (
    <div className="app">
      <Sidebar activeId={conversationId} open={sidebarOpen} onClose={() => setSidebarOpen(false)} />
      {sidebarOpen && <div className="scrim" onClick={() => setSidebarOpen(false)} aria-hidden="true" />}
      <div className="main">
        <header className="topbar">
          <button type="button" className="icon-button topbar__menu" aria-label="Open conversations" onClick={() => setSidebarOpen(true)}>
            <MenuIcon />
          </button>
          <span className="topbar__brand" data-testid="product-name">
            {brand.logoUrl && <img src={brand.logoUrl} alt="" />}
            {brand.productName}
          </span>
          <h1 className="topbar__title">{title}</h1>
          <QuotaWidget />
          <button
            type="button"
            className="icon-button"
            aria-label={dark ? 'Switch to light theme' : 'Switch to dark theme'}
            title={theme === 'system' ? 'Theme: follows the system' : `Theme: ${theme}`}
            onClick={() => setTheme(dark ? 'light' : 'dark')}
          >
            {dark ? <SunIcon /> : <MoonIcon />}
          </button>
          <UserMenu user={user} onSignOut={() => void signOut()} />
        </header>
        {connection === 'offline' && (
          <div className="notice notice--warning banner" role="status">
            <strong>Connection lost.</strong> Reconnecting… An answer being written continues where it left off.
          </div>
        )}
        <QuotaBanner />
        {route.name === 'memory' ? (
          <MemoryPage />
        ) : route.name === 'prompts' ? (
          <PromptsPage />
        ) : route.name === 'shared' ? (
          <SharedConversationPage key={route.token} token={route.token} />
        ) : route.name === 'sharedWithMe' ? (
          <SharedWithMePage />
        ) : route.name === 'home' ? (
          <AssistantPicker assistants={list} loading={assistants.isPending} isAdmin={user.role === 'admin'} />
        ) : route.name === 'tokens' ? (
          <TokensPage assistants={list} />
        ) : (
          <ChatView conversationId={conversationId} assistantId={route.name === 'new' ? route.assistantId : null} assistants={list} />
        )}
      </div>
    </div>
  );
}
