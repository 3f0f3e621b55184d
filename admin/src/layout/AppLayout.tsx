import BarChartIcon from '@mui/icons-material/BarChart';
import SettingsIcon from '@mui/icons-material/Settings';
import KeyIcon from '@mui/icons-material/Key';
import BadgeIcon from '@mui/icons-material/Badge';
import ThumbsUpDownIcon from '@mui/icons-material/ThumbsUpDown';
import type { ReactNode } from 'react';
import { Box, Typography } from '@mui/material';
import { AppBar, Layout, Menu, TitlePortal } from 'react-admin';
import { useBrand } from '../branding/brand';
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
      {abilities['token.manageAll'] && <Menu.Item to="/tokens" primaryText="Access tokens" leftIcon={<KeyIcon />} />}
      {/* Identity: single sign-on and SCIM */}
      {abilities['identity.manage'] && <Menu.Item to="/identity" primaryText="Identity" leftIcon={<BadgeIcon />} />}
      {abilities['feedback.report'] && <Menu.Item to="/feedback" primaryText="Feedback" leftIcon={<ThumbsUpDownIcon />} />}
    </Menu>
  );
}

/** react-admin's bar with the product's logo and name at its right. */
function BrandAppBar() {
  const brand = useBrand();
  return (
    <AppBar>
      <TitlePortal />
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mr: 1 }} data-testid="product-name">
        {brand.logoUrl && <Box component="img" src={brand.logoUrl} alt="" sx={{ maxHeight: 28, maxWidth: 120 }} />}
        <Typography variant="subtitle1" component="span" sx={{ fontWeight: 700 }}>
          {brand.productName}
        </Typography>
      </Box>
    </AppBar>
  );
}

export function AppLayout({ children }: { children: ReactNode }) {
  return (
    <Layout menu={AppMenu} appBar={BrandAppBar}>
      {children}
    </Layout>
  );
}
