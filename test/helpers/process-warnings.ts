import { after } from 'node:test';

/**
 * The messages of the process warnings named `name` emitted while the test file runs, such as
 * `MaxListenersExceededWarning` (a listener added over and over to one emitter): a test after the
 * ones that could cause it asserts the list is empty. Node still prints each warning as usual.
 */
export function warningsNamed(name: string): readonly string[] {
  const seen: string[] = [];
  const listener = (warning: Error) => {
    if (warning.name === name) seen.push(warning.message);
  };
  process.on('warning', listener);
  after(() => {
    process.off('warning', listener);
  });
  return seen;
}

/**
 * The notices and warnings oidc-provider prints to the console while the test file runs: it prints
 * one for each development default left in use (signing keys, interactions, lifetimes), so a
 * provider configured as it should be prints none. Everything still reaches the console.
 */
export function oidcProviderNotices(): readonly string[] {
  const seen: string[] = [];
  const original = { info: console.info, warn: console.warn };
  for (const level of ['info', 'warn'] as const) {
    console[level] = (...args: unknown[]) => {
      const line = args.map(String).join(' ');
      if (line.includes('oidc-provider')) seen.push(line);
      original[level](...args);
    };
  }
  after(() => {
    Object.assign(console, original);
  });
  return seen;
}
