/**
 * For a describe() whose tests take longer together than the 60 s each test has: node:test holds
 * a suite to that limit as a whole too (and reads Infinity as "inherit"), so such a suite gets ten
 * minutes. Each of its tests and hooks keeps its own limit.
 */
export const LONG_SUITE = { timeout: 10 * 60_000 };
