import { Admin, Resource } from 'react-admin';
import { authProvider } from './authProvider';
import { dataProvider } from './dataProvider';
import { Dashboard } from './dashboard/Dashboard';
import { LoginPage } from './LoginPage';
import users from './users';

export function App() {
  return (
    <Admin
      title="Atrium console"
      authProvider={authProvider}
      dataProvider={dataProvider}
      dashboard={Dashboard}
      loginPage={LoginPage}
      requireAuth
      disableTelemetry
    >
      <Resource {...users} />
    </Admin>
  );
}
