import { Admin, CustomRoutes, Resource } from 'react-admin';
import { Route } from 'react-router-dom';
import assistants from './assistants';
import audit from './audit';
import { authProvider, NOT_ALLOWED_PATH } from './authProvider';
import { brandTheme, useBrand } from './branding/brand';
import { dataProvider } from './dataProvider';
import { Dashboard } from './dashboard/Dashboard';
import groups from './groups';
import knowledgeBases from './knowledgeBases';
import { AppLayout } from './layout/AppLayout';
import { LoginPage } from './LoginPage';
import models from './models';
import { NotAllowed } from './NotAllowed';
import providers from './providers';
import toolServers from './toolServers';
import quotas from './quotas';
import quotaAlerts from './quotas/alerts';
import { SettingsPage } from './settings/SettingsPage';
import { TokensPage } from './tokens/TokensPage';
import { IdentityPage } from './identity/IdentityPage';
import { UsagePage } from './usage/UsagePage';
// Staff features: feedback reports, published prompts.
import { FeedbackPage } from './feedback/FeedbackPage';
import prompts from './prompts';
import users from './users';

export function App() {
  const brand = useBrand();
  return (
    <Admin
      title={`${brand.productName} console`}
      theme={brandTheme(brand)}
      authProvider={authProvider}
      dataProvider={dataProvider}
      dashboard={Dashboard}
      loginPage={LoginPage}
      layout={AppLayout}
      requireAuth
      disableTelemetry
    >
      <Resource {...assistants} />
      <Resource {...knowledgeBases} />
      <Resource {...users} />
      <Resource {...groups} />
      <Resource {...providers} />
      <Resource {...toolServers} />
      <Resource {...models} />
      <Resource {...quotas} />
      <Resource {...quotaAlerts} />
      <Resource {...audit} />
      <Resource {...prompts} />
      <CustomRoutes>
        <Route path="/usage" element={<UsagePage />} />
        <Route path="/settings" element={<SettingsPage />} />
        <Route path="/tokens" element={<TokensPage />} />
        {/* Identity: single sign-on and SCIM */}
        <Route path="/identity" element={<IdentityPage />} />
        <Route path="/feedback" element={<FeedbackPage />} />
      </CustomRoutes>
      <CustomRoutes noLayout>
        <Route path={NOT_ALLOWED_PATH} element={<NotAllowed />} />
      </CustomRoutes>
    </Admin>
  );
}
