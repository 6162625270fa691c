/** An error beside what failed, announced to screen readers (`role="alert"`); nothing when there is none. */
export function Alert({ text, id }: { text: string | undefined; id?: string }) {
  if (!text) return null;
  return (
    <p id={id} class="error" role="alert">
      {text}
    </p>
  );
}
