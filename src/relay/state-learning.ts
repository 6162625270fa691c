/** Header a developer's app may set to tell the relay which state it just issued. */
export const RELAY_STATE_HEADER = 'x-relay-state';

/** The `param` of a URL found in text, if the text is (or holds) such a URL. */
function paramOfUrl(text: string, param: string): string | undefined {
  try {
    return new URL(text).searchParams.get(param) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * States a developer's response reveals: the `X-Relay-State` header, the state in a redirect's
 * `Location`, or in any absolute URL among the string values of a JSON body (an `authUrl`).
 */
export function learnStates(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  jsonBody: unknown,
  param: string,
): string[] {
  const found = new Set<string>();
  const header = headers[RELAY_STATE_HEADER];
  for (const value of Array.isArray(header) ? header : header ? [header] : []) {
    for (const part of value.split(',')) if (part.trim()) found.add(part.trim());
  }
  const location = headers['location'];
  if (typeof location === 'string') {
    const state = paramOfUrl(location, param);
    if (state) found.add(state);
  }
  const visit = (value: unknown, depth: number): void => {
    if (depth > 8) return;
    if (typeof value === 'string') {
      if (/^https?:\/\//.test(value)) {
        const state = paramOfUrl(value, param);
        if (state) found.add(state);
      }
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
    } else if (value && typeof value === 'object') {
      for (const item of Object.values(value)) visit(item, depth + 1);
    }
  };
  visit(jsonBody, 0);
  return [...found].filter((s) => s.length <= 512);
}
