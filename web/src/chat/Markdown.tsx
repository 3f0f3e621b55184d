import { memo, useMemo, type ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import rehypeSanitize from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';
import { CopyButton } from '../ui/CopyButton.js';
import { parseCitationHref } from './citations.js';

// Model output and document passages are untrusted. Raw HTML in the Markdown
// is never parsed (no rehype-raw: it shows as text), rehype-sanitize then drops
// anything outside GitHub's safe subset (javascript: links, event handlers),
// and only after that does highlighting add its own class names.

function textOf(node: ReactNode): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  if (node && typeof node === 'object' && 'props' in node) return textOf((node.props as { children?: ReactNode }).children);
  return '';
}

function ExternalLink({ href, children }: { href?: string; children?: ReactNode }) {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  );
}

const baseComponents: Components = {
  pre({ children }) {
    const code = textOf(children).replace(/\n$/, '');
    const language = /language-([\w+-]+)/.exec(String((children as { props?: { className?: string } })?.props?.className ?? ''))?.[1];
    return (
      <div className="code-block">
        <div className="code-block__bar">
          <span>{language ?? 'code'}</span>
          <CopyButton text={code} label="Copy code" className="code-block__copy" />
        </div>
        <pre>{children}</pre>
      </div>
    );
  },
  a: ExternalLink,
  table({ children }) {
    return (
      <div className="table-scroll">
        <table>{children}</table>
      </div>
    );
  },
};

/** onCite: a citation link ([n], see citations.ts) was clicked. */
export const Markdown = memo(function Markdown({ text, onCite }: { text: string; onCite?: (index: number) => void }) {
  const components = useMemo<Components>(
    () => ({
      ...baseComponents,
      a(props) {
        const cited = onCite ? parseCitationHref(props.href) : null;
        if (cited === null) return <ExternalLink {...props} />;
        return (
          <button type="button" className="cite" aria-label={`Source ${cited}`} onClick={() => onCite!(cited)}>
            {cited}
          </button>
        );
      },
    }),
    [onCite],
  );
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={[remarkGfm]} rehypePlugins={[rehypeSanitize, [rehypeHighlight, { detect: false }]]} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
