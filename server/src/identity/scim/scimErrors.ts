// SCIM answers errors in its own shape (RFC 7644 §3.12), not the API's
// `{ error: { code, message } }`: provisioning clients parse `status` and `scimType`.
export type ScimType = 'invalidFilter' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'tooMany';

export class ScimError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly scimType?: ScimType,
  ) {
    super(detail);
    this.name = 'ScimError';
  }

  static notFound(what: string, id: string): ScimError {
    return new ScimError(404, `${what} ${id} not found`);
  }

  body() {
    return {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.message,
    };
  }
}
