// Reading forms and links out of the pages a test browser lands on.

/** The first form of a page, its action and inputs. */
export function firstForm(body: string): { action: string; fields: Record<string, string> } {
  const start = body.indexOf('<form');
  if (start < 0) throw new Error(`no form in the page: ${body.slice(0, 300)}`);
  return fieldsFrom(body, start);
}

/** The hidden and visible inputs of the form with `id` in a page. */
export function formFields(body: string, id: string): { action: string; fields: Record<string, string> } {
  const start = body.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no form ${id} in the page: ${body.slice(0, 300)}`);
  return fieldsFrom(body, start);
}

function fieldsFrom(body: string, start: number): { action: string; fields: Record<string, string> } {
  const formStart = body.lastIndexOf('<form', start);
  const end = body.indexOf('</form>', start);
  const form = body.slice(formStart, end);
  const action = /action="([^"]*)"/.exec(form)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const input of form.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    if (name) fields[name] = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
  }
  return { action, fields };
}

/** The href of the first link whose text includes `text`. */
export function linkTo(body: string, text: string): string {
  for (const a of body.matchAll(/<a[^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/g))
    if (a[2]!.includes(text)) return a[1]!.replace(/&#38;/g, '&');
  throw new Error(`no link "${text}" in the page: ${body.slice(0, 300)}`);
}
