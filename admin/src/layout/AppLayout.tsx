import BarChartIcon from '@mui/icons-material/BarChart';
import SettingsIcon from '@mui/icons-material/Settings';
import ThumbsUpDownIcon from '@mui/icons-material/ThumbsUpDown';
import type { ReactNode } from 'react';
import { Layout, Menu } from 'react-admin';
import { getAbilities } from '../session';

/** Resources hide themselves through canAccess; the two custom pages are shown by ability here. */
function AppMenu() {
  const abilities = getAbilities();
  return (
    <Menu>
      <Menu.DashboardItem />
      <Menu.ResourceItems />
      {abilities['usage.report'] && <Menu.Item to="/usage" primaryText="Usage" leftIcon={<BarChartIcon />} />}
      {abilities['settings.read'] && <Menu.Item to="/settings" primaryText="Settings" leftIcon={<SettingsIcon />} />}
      {abilities['feedback.report'] && <Menu.Item to="/feedback" primaryText="Feedback" leftIcon={<ThumbsUpDownIcon />} />}
    </Menu>
  );
}

export function AppLayout({ children }: { children: ReactNode }) {
  return <Layout menu={AppMenu}>{children}</Layout>;
}
