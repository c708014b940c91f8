/**
 * Ballots (proposal numbers) for Paxos. Lamport, "Paxos Made Simple" (2001) §2.2 asks for
 * proposal numbers drawn from a totally ordered set, and §2.3 for disjoint sets per proposer
 * ("different proposers choose their numbers from disjoint sets of numbers"). A ballot here is
 * the pair (round, proposer id), ordered by round and then by id, so two proposers never issue
 * the same ballot and either can always go higher than anything it has seen.
 */
export interface Ballot {
  /** Round number, from 1. */
  r: number;
  /** Id of the proposer that owns the ballot (breaks ties between equal rounds). */
  p: string;
}

/** Negative when a < b, 0 when equal, positive when a > b. null is below every ballot. */
export function cmpBallot(a: Ballot | null | undefined, b: Ballot | null | undefined): number {
  if (a == null) return b == null ? 0 : -1;
  if (b == null) return 1;
  if (a.r !== b.r) return a.r - b.r;
  return a.p < b.p ? -1 : a.p > b.p ? 1 : 0;
}

/** True when the two ballots are the same. */
export function sameBallot(a: Ballot | null | undefined, b: Ballot | null | undefined): boolean {
  return cmpBallot(a, b) === 0;
}

/** The ballot as people write it: `3.p1` (round 3 of proposer p1); `-` for none. */
export function ballotStr(b: Ballot | null | undefined): string {
  return b == null ? '-' : `${b.r}.${b.p}`;
}
