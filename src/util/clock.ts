/** Source of the current time, passed in so that logic depending on time can be tested. */
export type Clock = () => number;

/** The wall clock. */
export const systemClock: Clock = () => Date.now();
