import { useState } from 'react';
import { CheckIcon, CopyIcon } from './icons.js';

export function CopyButton({ text, label = 'Copy', className = 'icon-button' }: { text: string; label?: string; className?: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard API needs a secure context; fall back to a hidden textarea.
      const area = document.createElement('textarea');
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  }
  return (
    <button type="button" className={className} onClick={() => void copy()} aria-label={copied ? 'Copied' : label} title={copied ? 'Copied' : label}>
      {copied ? <CheckIcon /> : <CopyIcon />}
    </button>
  );
}
