/**
 * Quorums, as consensus protocols count them: a majority of n is floor(n/2) + 1, so any two
 * majorities of the same n share at least one member (Lamport, "Paxos Made Simple" §2.2; Raft
 * §5.2). The one place the lab computes it.
 */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}
