/**
 * A fetch answer's body, refusing to hold more than `limit` bytes of it: a larger declared length
 * or a body that runs past it cancels the body and throws `tooLarge(declared)`, where `declared`
 * is the Content-Length when that was what gave it away.
 */
export async function readCappedAnswer(
  res: Response,
  limit: number,
  tooLarge: (declared: number | undefined) => Error,
): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > limit) {
    await res.body.cancel().catch(() => {});
    throw tooLarge(declared);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.length;
    if (size > limit) {
      await res.body.cancel().catch(() => {});
      throw tooLarge(undefined);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
