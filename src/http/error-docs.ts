/** The reference of every error code, as the package and the repository hold it. */
export const ERRORS_REFERENCE = 'docs/reference/errors.md';

/** The anchor of a code in the reference: `route_not_found` (a heading's anchor, lower-cased). */
export function errorAnchor(code: string): string {
  return code.toLowerCase();
}

/** Where a code is explained: `docs/reference/errors.md#route_not_found`. */
export function errorDocs(code: string): string {
  return `${ERRORS_REFERENCE}#${errorAnchor(code)}`;
}
