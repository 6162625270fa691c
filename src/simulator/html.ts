/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A whole page of the simulator's sign-in site. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #171a20; }
h1 { font-size: 1.5rem; } label { display: block; margin: .75rem 0 .25rem; }
input[type=email], input[type=password] { width: 100%; padding: .5rem; box-sizing: border-box; }
button { margin: 1rem .5rem 0 0; padding: .5rem 1.25rem; } .error { color: #b00020; }
.note { color: #5c5e62; font-size: .9rem; }
</style>
</head>
<body>
<p class="note">Tesla cloud simulator</p>
${body}
</body>
</html>
`;
}

/** A hidden form field. */
export function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}
