import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorText } from './api.ts';

/** What a page loaded: the value, or the error, and a way to load it again. */
export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly reload: () => void;
}

/** Loads `load()` now and whenever `keys` change. */
export function useLoad<T>(load: () => Promise<T>, keys: readonly unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(undefined);
      },
      (e: unknown) => current && setError(errorText(e)),
    );
    return () => {
      current = false;
    };
  }, [round, ...keys]);
  return { data, error, reload: useCallback(() => setRound((r) => r + 1), []) };
}
