// A small browser for server-side flows: fetch with one cookie jar per origin,
// redirects followed by hand, and HTML forms submitted as a person would.

export interface Hop {
  url: string;
  status: number;
  location?: string;
  body: string;
}

export class CookieBrowser {
  private readonly jars = new Map<string, Map<string, string>>();

  private jar(url: URL): Map<string, string> {
    if (!this.jars.has(url.host)) this.jars.set(url.host, new Map());
    return this.jars.get(url.host)!;
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jar(new URL(origin)).get(name);
  }

  setCookie(origin: string, name: string, value: string): void {
    this.jar(new URL(origin)).set(name, value);
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Hop> {
    const target = new URL(url);
    const jar = this.jar(target);
    const headers: Record<string, string> = { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(target, { method: init.method ?? 'GET', headers, body: init.form ? new URLSearchParams(init.form) : undefined, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=thu, 01 jan 1970/i.test(a)) || attributes.some((a) => /^\s*max-age=0$/i.test(a.trim()));
      if (!value || expired) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location') ?? undefined;
    return { url: target.href, status: res.status, location: location ? new URL(location, target).href : undefined, body: await res.text() };
  }

  /**
   * Follows redirects from `url`, submitting each form on the way (`fill` gives
   * the fields a person would type), until a response is not a redirect or a
   * redirect leaves for `stopAt` (returned unvisited, so a test can look at it).
   */
  async follow(url: string, options: { fill?: Record<string, string>; stopAt?: (url: string) => boolean; maxHops?: number } = {}): Promise<Hop[]> {
    const hops: Hop[] = [];
    let next: { url: string; form?: Record<string, string> } | undefined = { url };
    for (let i = 0; next && i < (options.maxHops ?? 20); i++) {
      if (i > 0 && options.stopAt?.(next.url)) {
        hops.push({ url: next.url, status: 0, body: '' });
        break;
      }
      const hop = await this.request(next.url, next.form ? { method: 'POST', form: next.form } : {});
      hops.push(hop);
      if (hop.location) next = { url: hop.location };
      else next = this.formIn(hop, options.fill ?? {});
    }
    return hops;
  }

  private formIn(hop: Hop, fill: Record<string, string>): { url: string; form: Record<string, string> } | undefined {
    const form = /<form([^>]*)>([\s\S]*?)<\/form>/i.exec(hop.body);
    if (!form || !/method="post"/i.test(form[1]!)) return undefined;
    const action = /action="([^"]*)"/.exec(form[1]!)?.[1] ?? hop.url;
    const fields: Record<string, string> = {};
    for (const input of form[2]!.matchAll(/<input([^>]*)>/gi)) {
      const name = /name="([^"]*)"/.exec(input[1]!)?.[1];
      if (name) fields[name] = /value="([^"]*)"/.exec(input[1]!)?.[1] ?? '';
    }
    // What the person types, and the button they press (which may sit outside the form).
    for (const [name, value] of Object.entries(fill)) if (name in fields || new RegExp(`name="${name}"`).test(hop.body)) fields[name] = value;
    return { url: new URL(action.replace(/&amp;/g, '&'), hop.url).href, form: fields };
  }
}
