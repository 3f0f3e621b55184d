// Every way fetching a web page can fail, as a stable code the console can
// translate, plus a message a user can act on. Messages name URLs and limits,
// never page content.
export const webSourceErrorCodes = [
  'invalid_url', // not a URL, credentials in it, or a scheme other than http(s)
  'blocked_address', // the host is or resolves to a private/loopback/... address not allow-listed
  'dns_failed', // the host name did not resolve
  'too_many_redirects',
  'too_large', // the response passed the size limit
  'timeout', // the whole request took longer than the time limit
  'idle_timeout', // the server sent nothing for longer than the idle limit
  'network', // connection refused, reset, TLS failure...
  'http_status', // an error status other than 404/410 (those mean "gone")
  'unsupported_type', // the bytes are not one of the allowed document kinds
  'off_site', // a page of a site crawl redirected to another site
  'extraction', // the document was fetched but its text could not be read
  'robots_unavailable', // robots.txt answered 5xx or could not be fetched: the site may not be crawled now
] as const;

export type WebSourceErrorCode = (typeof webSourceErrorCodes)[number];

export class WebSourceError extends Error {
  constructor(
    readonly code: WebSourceErrorCode,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'WebSourceError';
  }
}

export function isWebSourceError(error: unknown): error is WebSourceError {
  return error instanceof WebSourceError;
}
