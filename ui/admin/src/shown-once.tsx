import type { ComponentChild } from 'preact';

/** A new secret the API gives only at its making (an API key, a tunnel key): shown this once, and gone with Done. */
export function ShownOnce({
  what,
  secret,
  onDone,
}: {
  what: ComponentChild;
  secret: string;
  onDone: () => void;
}) {
  return (
    <div class="once" role="status">
      <p>{what}, shown this once:</p>
      <output class="mono" data-new-key>
        {secret}
      </output>
      <button type="button" class="quiet" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
