import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { fetchSignInConfig } from '../api/endpoints.js';
import type { SignInConfig } from '../api/types.js';

// The product's name, logo and accent colour, from the public sign-in
// configuration: fetched once per load (the server lets it be cached a minute).

const fallback: SignInConfig = { productName: 'Atrium', accentColor: '#1f6feb', logoUrl: null, registration: { open: false } };

export function useSignInConfig(): SignInConfig & { loaded: boolean } {
  const query = useQuery({ queryKey: ['sign-in-config'], queryFn: fetchSignInConfig, staleTime: 60_000, gcTime: Infinity });
  return { ...(query.data ?? fallback), loaded: query.isSuccess };
}

/** Black or white text, whichever reads better on the accent (WCAG relative luminance). */
export function textOn(hex: string): string {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return luminance > 0.179 ? '#000000' : '#ffffff';
}

/** Applies the brand to the whole page: the accent as CSS variables, the name as the title's suffix. */
export function useBranding(): SignInConfig {
  const config = useSignInConfig();
  useEffect(() => {
    if (!config.loaded) return;
    const root = document.documentElement.style;
    root.setProperty('--accent', config.accentColor);
    root.setProperty('--accent-text', textOn(config.accentColor));
  }, [config.loaded, config.accentColor]);
  return config;
}

/** The logo (or the name's first letter) and a heading with the product name, for the sign-in pages. */
export function BrandHeader({ heading, id }: { heading: (productName: string) => string; id: string }) {
  const { productName, logoUrl } = useSignInConfig();
  return (
    <>
      {logoUrl ? (
        <img className="brand-logo" src={logoUrl} alt={productName} />
      ) : (
        <div className="brand" aria-hidden="true">
          {productName.slice(0, 1).toUpperCase()}
        </div>
      )}
      <h1 id={id}>{heading(productName)}</h1>
    </>
  );
}
