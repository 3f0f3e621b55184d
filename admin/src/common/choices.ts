export const roleChoices = [
  { id: 'admin', name: 'Admin' },
  { id: 'manager', name: 'Manager' },
  { id: 'user', name: 'User' },
];

export const memberRoleChoices = [
  { id: 'member', name: 'Member' },
  { id: 'manager', name: 'Manager' },
];

export const formatBytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`;

export const formatUsd = (n: number) => `$${n.toFixed(n >= 100 ? 0 : 2)}`;

/** YYYY-MM-DD of a date in the browser's time zone. */
export const isoDay = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
