/** What of a request record tells whether the admin app itself made it. */
interface Made {
  readonly host: string;
  readonly path: string;
}

/**
 * Whether a record is a call to the admin API or app of the origin `host` (the app's own reads
 * among them): a page that re-read its numbers on those would cause its next re-read itself.
 */
export function isOwnCall(record: Made, host: string): boolean {
  return record.host === host && (record.path.startsWith('/api/') || record.path.startsWith('/ui/'));
}
