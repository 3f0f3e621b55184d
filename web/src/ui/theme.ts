import { useEffect, useState } from 'react';

// Light, dark, or the system's choice, remembered per browser. Applied as
// data-theme on <html>; the CSS holds both palettes.

export type Theme = 'light' | 'dark' | 'system';
const KEY = 'atrium.theme';

function stored(): Theme {
  const value = localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

const media = () => window.matchMedia('(prefers-color-scheme: dark)');

/** Before the first render (from the app's module, not an inline script: the CSP forbids those), so no screen flashes light. */
export function applyStoredTheme(): void {
  const theme = stored();
  document.documentElement.dataset.theme = theme === 'system' ? (media().matches ? 'dark' : 'light') : theme;
}

/** The chosen theme, the one in effect (light or dark), and a setter. */
export function useTheme(): [Theme, 'light' | 'dark', (t: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(stored);
  const [systemDark, setSystemDark] = useState(() => media().matches);
  const resolved = theme === 'system' ? (systemDark ? 'dark' : 'light') : theme;
  useEffect(() => {
    const query = media();
    const onChange = () => setSystemDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = resolved;
  }, [resolved]);
  return [
    theme,
    resolved,
    (t: Theme) => {
      if (t === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, t);
      setTheme(t);
    },
  ];
}
