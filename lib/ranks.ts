/** Ranks of a list written best first: the last member ranks 0, each one before it one more. */
function ranksBestFirst<T extends string>(bestFirst: readonly T[]): Readonly<Record<T, number>> {
  return Object.fromEntries(bestFirst.map((name, i) => [name, bestFirst.length - 1 - i])) as Record<T, number>;
}

export { ranksBestFirst };
