// Engine time is integer microseconds since the epoch (it arrives with each command).

export const US_PER_DAY = 86_400_000_000;

/** The UTC day number of a time (days since 1970-01-01). */
export const utcDay = (t: number): number => Math.floor(t / US_PER_DAY);
