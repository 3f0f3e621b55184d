import { Box, Typography } from '@mui/material';
import { createContext, useContext } from 'react';
import { defaultTheme, type RaThemeOptions } from 'react-admin';

// The console's branding, from the public sign-in configuration (the same the
// chat app reads): fetched once before the console renders.

export interface Brand {
  productName: string;
  accentColor: string;
  logoUrl: string | null;
}

const fallback: Brand = { productName: 'Atrium', accentColor: '#1f6feb', logoUrl: null };

export async function loadBrand(): Promise<Brand> {
  try {
    const res = await fetch('/api/v1/public/sign-in', { headers: { Accept: 'application/json' } });
    if (!res.ok) return fallback;
    const body = (await res.json()) as Brand;
    return { productName: body.productName, accentColor: body.accentColor, logoUrl: body.logoUrl };
  } catch {
    return fallback;
  }
}

/** react-admin's default theme with the accent as MUI's primary colour and as the app bar's (secondary). */
export function brandTheme(brand: Brand): RaThemeOptions {
  return { ...defaultTheme, palette: { ...defaultTheme.palette, primary: { main: brand.accentColor }, secondary: { main: brand.accentColor } } };
}

export const BrandContext = createContext<Brand>(fallback);
export const useBrand = () => useContext(BrandContext);

/** Logo and product name above the console's sign-in form. */
export function BrandHeader() {
  const brand = useBrand();
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 1, pt: 2, px: 2 }} data-testid="brand-header">
      {brand.logoUrl && <Box component="img" src={brand.logoUrl} alt="" sx={{ maxWidth: 200, maxHeight: 56, objectFit: 'contain' }} />}
      <Typography variant="h6" component="h1" sx={{ color: 'primary.main', fontWeight: 700 }}>
        {brand.productName} console
      </Typography>
    </Box>
  );
}
