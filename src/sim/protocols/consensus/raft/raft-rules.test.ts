import { describe, expect, it } from 'vitest';
import { Rng } from '../../../kernel/rng';
import type { Input } from '../../../protocol';
import { handle, type RecorderWorld } from '../../../toolkit/recorder';
import { initClient } from './client';
import { lastLogIndex, newEntry, noSnapshot, termAt } from './log';
import { raft } from './raft';
import { initServer } from './server';
import {
  type AppendEntries,
  type AppendResp,
  type ClientResponse,
  type RaftMsg,
  RaftParams,
  type RaftState,
  type RequestVoteResp,
  type ServerState,
} from './types';

/**
 * Rules of the paper, one input at a time, off the kernel (the handler changes the state it is
 * given; `handle` records what it asked of the world). Section numbers: Ongaro & Ousterhout
 * 2014 (extended version); Figure 2 is the rule summary.
 */

const NODES = { s1: 'server', s2: 'server', s3: 'server', s4: 'server', s5: 'server', c1: 'client' };

function world(self: string, params: Partial<RaftParams> = {}, nowUs = 1_000_000): RecorderWorld<RaftParams> {
  return { self, nodes: NODES, params: RaftParams.parse(params), nowUs, rng: new Rng(1, self) };
}

/** Hands one input to node `self` (default s1), changing `s`. */
function step(
  s: RaftState,
  input: Input<RaftMsg>,
  self = 's1',
  params: Partial<RaftParams> = {},
  nowUs?: number,
) {
  return handle(raft, s, input, world(self, params, nowUs));
}

/** A copy to try another input on (the handler changes the state it is given). */
const copy = <T>(s: T): T => structuredClone(s);

const msg = (from: string, m: RaftMsg): Input<RaftMsg> => ({ kind: 'message', from, msg: m });

/** A follower with a log of the given terms (no-op entries). */
function withLog(terms: number[], currentTerm = terms.at(-1) ?? 0): ServerState {
  const s = initServer();
  s.currentTerm = currentTerm;
  for (const t of terms) s.log.push(newEntry(s, t, { kind: 'noop' }));
  return s;
}

function ae(
  term: number,
  prevLogIndex: number,
  prevLogTerm: number,
  entryTerms: number[],
  leaderCommit = 0,
): AppendEntries {
  // Entries hashed on some base log: hashes do not matter to the protocol, only terms.
  const entries = withLog(entryTerms).log;
  return { type: 'AppendEntries', term, prevLogIndex, prevLogTerm, entries, leaderCommit, seq: 1 };
}

const terms = (s: ServerState) => s.log.map((e) => e.term);

describe('Raft §5.1 terms', () => {
  it('rejects an AppendEntries with a stale term and answers with its own term (§5.1)', () => {
    const s = withLog([1, 2], 3);
    const r = step(s, msg('s2', ae(2, 2, 2, [2])));
    expect(lastLogIndex(s)).toBe(2);
    expect(r.sent[0]!.msg).toMatchObject({ type: 'AppendResp', term: 3, success: false });
    expect(s.leader).toBe('');
  });

  it('a leader that sees a higher term steps down to follower (§5.1)', () => {
    const s: ServerState = {
      ...withLog([1], 2),
      role: 'leader',
      leader: 's1',
      nextIndex: { s2: 2 },
      matchIndex: { s2: 0 },
    };
    const resp: AppendResp = { type: 'AppendResp', term: 5, success: false, match: 0, seq: -1 };
    const r = step(s, msg('s2', resp));
    expect(s).toMatchObject({ role: 'follower', currentTerm: 5, votedFor: '' });
    expect(r.timers).toContainEqual({ name: 'heartbeat', afterUs: null });
  });

  it('rejects a RequestVote with a stale term (§5.1)', () => {
    const s = withLog([1], 4);
    const r = step(
      s,
      msg('s2', { type: 'RequestVote', term: 3, lastLogIndex: 9, lastLogTerm: 3, pre: false }),
    );
    expect((r.sent[0]!.msg as RequestVoteResp).voteGranted).toBe(false);
    expect(s.votedFor).toBe('');
  });
});

describe('Raft §5.2 leader election', () => {
  it('an election timeout makes a follower a candidate for the next term that votes for itself', () => {
    const s = withLog([1], 1);
    const r = step(s, { kind: 'timer', name: 'election' });
    expect(s).toMatchObject({ role: 'candidate', currentTerm: 2, votedFor: 's1', votes: ['s1'] });
    expect(r.sent.map((o) => o.to).sort()).toEqual(['s2', 's3', 's4', 's5']);
    expect(r.sent[0]!.msg).toMatchObject({ type: 'RequestVote', term: 2, lastLogIndex: 1, lastLogTerm: 1 });
    // The vote for itself is a promise that must survive a crash (the nemesis aims at it).
    expect(r.events).toContainEqual({ type: 'promised', term: 2, votedFor: 's1' });
    // The new election timeout is randomized within [min, max] (§5.2).
    const t = r.timers.find((x) => x.name === 'election')!;
    expect(t.afterUs).toBeGreaterThanOrEqual(150_000);
    expect(t.afterUs).toBeLessThanOrEqual(300_000);
  });

  it('draws election timeouts uniformly to the microsecond, not in whole milliseconds', () => {
    // 150–151 ms (the paper's Figure 16): two whole-ms values would make ties, and split votes, common.
    const params = { electionTimeoutMsMin: 150, electionTimeoutMsMax: 151 };
    const w: RecorderWorld<RaftParams> = { ...world('s1', params), rng: new Rng(7, 's1') };
    const draws = new Set<number>();
    for (let k = 0; k < 200; k++) {
      const r = handle(raft, initServer(), { kind: 'start' }, w);
      const t = r.timers.find((x) => x.name === 'election')!.afterUs!;
      expect(t).toBeGreaterThanOrEqual(150_000);
      expect(t).toBeLessThanOrEqual(151_000);
      draws.add(t);
    }
    expect(draws.size).toBeGreaterThan(150);
  });

  it('grants at most one vote per term, first come first served', () => {
    const rv = (term: number) => ({
      type: 'RequestVote' as const,
      term,
      lastLogIndex: 1,
      lastLogTerm: 1,
      pre: false,
    });
    const s = withLog([1], 1);
    const a = step(s, msg('s2', rv(2)));
    expect((a.sent[0]!.msg as RequestVoteResp).voteGranted).toBe(true);
    expect(s.votedFor).toBe('s2');
    expect(a.events).toEqual([{ type: 'promised', term: 2, votedFor: 's2' }]);
    const b = step(copy(s), msg('s3', rv(2)));
    expect((b.sent[0]!.msg as RequestVoteResp).voteGranted).toBe(false);
    // The same candidate asking again (a retry) gets the same answer; it is no new promise.
    const again = step(copy(s), msg('s2', rv(2)));
    expect((again.sent[0]!.msg as RequestVoteResp).voteGranted).toBe(true);
    expect(again.events).toEqual([]);
  });

  it('a candidate with votes from a majority becomes leader, appends a no-op and sends heartbeats', () => {
    const s = withLog([1], 1);
    step(s, { kind: 'timer', name: 'election' });
    const grant: RequestVoteResp = { type: 'RequestVoteResp', term: 2, voteGranted: true, pre: false };
    step(s, msg('s2', grant));
    expect(s.role).toBe('candidate');
    const r = step(s, msg('s3', grant));
    expect(s.role).toBe('leader');
    expect(r.events).toContainEqual({ type: 'elected', term: 2 });
    expect(termAt(s, lastLogIndex(s))).toBe(2); // §8 no-op of the new term
    expect(r.sent.filter((o) => o.msg.type === 'AppendEntries').length).toBe(4);
    expect(r.timers).toContainEqual({ name: 'heartbeat', afterUs: 50_000 });
  });

  it('a candidate that hears from a leader of its term returns to follower (§5.2)', () => {
    const s = withLog([1], 1);
    step(s, { kind: 'timer', name: 'election' });
    step(s, msg('s3', ae(2, 1, 1, [])));
    expect(s).toMatchObject({ role: 'follower', currentTerm: 2, leader: 's3' });
  });

  it('pre-vote (thesis §9.6): no term change until a majority would vote', () => {
    const s = withLog([1], 1);
    const r = step(s, { kind: 'timer', name: 'election' }, 's1', { preVote: true });
    expect(s).toMatchObject({ role: 'precandidate', currentTerm: 1 });
    expect(r.sent[0]!.msg).toMatchObject({ type: 'RequestVote', term: 2, pre: true });
    expect(r.events).toEqual([]);
    // A follower that heard from its leader recently refuses and does not change its term.
    const f: ServerState = { ...withLog([1], 1), leader: 's3', leaderContactUs: 990_000 };
    const v = step(f, msg('s1', r.sent[0]!.msg), 's2', { preVote: true });
    expect((v.sent[0]!.msg as RequestVoteResp).voteGranted).toBe(false);
    expect(f.currentTerm).toBe(1);
  });
});

describe('Raft §5.3 log replication', () => {
  it('rejects AppendEntries whose prevLogIndex/prevLogTerm it does not hold (consistency check)', () => {
    const s = withLog([1, 1, 2], 3);
    const missing = step(copy(s), msg('s2', ae(3, 5, 3, [3])));
    expect(missing.sent[0]!.msg).toMatchObject({ success: false, match: 3 });
    const wrongTerm = step(s, msg('s2', ae(3, 3, 3, [3])));
    expect(wrongTerm.sent[0]!.msg).toMatchObject({ success: false, match: 2 });
    expect(lastLogIndex(s)).toBe(3);
  });

  it('deletes a conflicting entry and all that follow it, then appends', () => {
    const s = withLog([1, 1, 2, 2, 2], 3);
    const r = step(s, msg('s2', ae(3, 2, 1, [3, 3])));
    expect(terms(s)).toEqual([1, 1, 3, 3]);
    expect(r.sent[0]!.msg).toMatchObject({ success: true, match: 4 });
    expect(r.events).toContainEqual({ type: 'appended', from: 3, to: 4 });
  });

  it('a stale AppendEntries whose entries it already holds truncates nothing', () => {
    const s = withLog([1, 1, 3, 3], 3);
    const r = step(s, msg('s2', ae(3, 1, 1, [1])));
    expect(terms(s)).toEqual([1, 1, 3, 3]);
    expect(r.sent[0]!.msg).toMatchObject({ success: true, match: 2 });
    expect(r.events).toEqual([]);
  });

  it('a follower commits min(leaderCommit, index of last new entry)', () => {
    const s = withLog([1], 1);
    step(s, msg('s2', ae(1, 1, 1, [1], 10)));
    expect(s.commitIndex).toBe(2);
    expect(s.lastApplied).toBe(2);
  });

  it('a leader backs nextIndex off on a failed check and retries at once', () => {
    const s: ServerState = {
      ...withLog([1, 1, 1, 2], 2),
      role: 'leader',
      nextIndex: { s2: 5, s3: 5, s4: 5, s5: 5 },
      matchIndex: { s2: 0, s3: 0, s4: 0, s5: 0 },
      acked: { s2: 0, s3: 0, s4: 0, s5: 0 },
      ackUs: { s2: 0, s3: 0, s4: 0, s5: 0 },
    };
    const resp: AppendResp = { type: 'AppendResp', term: 2, success: false, match: 1, seq: 1 };
    const r = step(s, msg('s2', resp));
    const sent = r.sent[0]!.msg as AppendEntries;
    expect(sent).toMatchObject({ type: 'AppendEntries', prevLogIndex: 1, prevLogTerm: 1 });
    expect(sent.entries.map((e) => e.term)).toEqual([1, 1, 2]);
  });
});

describe('Raft §5.4 safety', () => {
  const leaderAt = (
    logTerms: number[],
    term: number,
    match: Record<string, number>,
    p: Partial<RaftParams> = {},
  ) => {
    const next = logTerms.length + 1;
    const s: ServerState = {
      ...withLog(logTerms, term),
      role: 'leader',
      nextIndex: { s2: next, s3: next, s4: next, s5: next },
      matchIndex: { s2: 0, s3: 0, s4: 0, s5: 0, ...match },
      acked: { s2: 0, s3: 0, s4: 0, s5: 0 },
      ackUs: { s2: 0, s3: 0, s4: 0, s5: 0 },
    };
    return (from: string, m: number) => {
      step(s, msg(from, { type: 'AppendResp', term, success: true, match: m, seq: 1 }), 's1', p);
      return s;
    };
  };

  it('§5.4.1 election restriction: no vote for a candidate whose log is less up-to-date', () => {
    const s = withLog([1, 2, 2], 2);
    const rv = (lastLogTerm: number, lastLogIndex: number, p: Partial<RaftParams> = {}) => {
      const voter = copy(s);
      const r = step(
        voter,
        msg('s2', { type: 'RequestVote', term: 3, lastLogIndex, lastLogTerm, pre: false }),
        's1',
        p,
      );
      return { granted: (r.sent[0]!.msg as RequestVoteResp).voteGranted, voter };
    };
    expect(rv(1, 10).granted).toBe(false); // older last term
    expect(rv(2, 2).granted).toBe(false); // same term, shorter
    expect(rv(2, 3).granted).toBe(true); // same term, as long
    expect(rv(3, 1).granted).toBe(true); // newer last term
    // The term is adopted even when the vote is refused (§5.1).
    expect(rv(1, 10).voter.currentTerm).toBe(3);
    // bugNoElectionRestriction grants it anyway.
    expect(rv(1, 10, { bugNoElectionRestriction: true }).granted).toBe(true);
  });

  it('§5.4.2: an entry of an earlier term is not committed by counting replicas', () => {
    // Leader of term 4 holds [1, 2]; entry 2 (term 2) reaches a majority: s1, s2, s3.
    const after = leaderAt([1, 2], 4, { s2: 2 })('s3', 2);
    expect(after.commitIndex).toBe(0);
    // With the bug switch it is committed (the Figure 8 trap).
    const bug = leaderAt([1, 2], 4, { s2: 2 }, { bugCommitPreviousTerm: true })('s3', 2);
    expect(bug.commitIndex).toBe(2);
    // Once an entry of the current term is on a majority, everything before it commits too.
    const cur = leaderAt([1, 2, 4], 4, { s2: 3 })('s3', 3);
    expect(cur.commitIndex).toBe(3);
  });
});

describe('Raft §5.5 and Figure 2: persistent state', () => {
  /** What the kernel does: keep the durable fields, overlay them on a fresh state, restart. */
  function crashAndRestart(s: ServerState, params: Partial<RaftParams> = {}) {
    const kept: Record<string, unknown> = {};
    for (const k of raft.durable) if (k in s) kept[k] = s[k as keyof ServerState];
    const back = { ...initServer(), ...kept } as ServerState;
    const r = step(back, { kind: 'restart' }, 's1', params);
    return { kept, back, r };
  }

  it('currentTerm, votedFor and the log survive a crash; the bug switch forgets votedFor on restart', () => {
    const s: ServerState = { ...withLog([1, 2], 3), votedFor: 's4', commitIndex: 2, role: 'leader' };
    const { kept, back } = crashAndRestart(copy(s));
    expect(kept).toMatchObject({ currentTerm: 3, votedFor: 's4', log: s.log });
    expect(kept.commitIndex).toBeUndefined(); // volatile (Figure 2)
    expect(kept.role).toBeUndefined();
    expect(back).toMatchObject({ currentTerm: 3, votedFor: 's4', role: 'follower', commitIndex: 0 });
    expect(crashAndRestart(copy(s), { bugForgetVoteOnRestart: true }).back.votedFor).toBe('');
  });

  it('after a restart the state machine is rebuilt from the snapshot, not from volatile state', () => {
    const s: ServerState = {
      ...withLog([1, 1], 1),
      snapshot: noSnapshot(),
      commitIndex: 0,
      lastApplied: 0,
      kv: { stale: 'x' },
    };
    const r = step(s, { kind: 'restart' });
    expect(s.kv).toEqual({});
    expect(s.commitIndex).toBe(0);
    expect(r.timers.some((t) => t.name === 'election' && t.afterUs !== null)).toBe(true);
  });
});

describe('Raft §8 client interaction', () => {
  const leader = (): ServerState => ({
    ...withLog([1], 1),
    role: 'leader',
    leader: 's1',
    commitIndex: 1,
    lastApplied: 1,
    termStart: 1,
    nextIndex: { s2: 2, s3: 2, s4: 2, s5: 2 },
    matchIndex: { s2: 1, s3: 1, s4: 1, s5: 1 },
    acked: { s2: 0, s3: 0, s4: 0, s5: 0 },
    ackUs: { s2: 0, s3: 0, s4: 0, s5: 0 },
  });
  const put = (reqId: number, ack = reqId) =>
    msg('c1', { type: 'ClientRequest', reqId, op: 'put', key: 'k', value: `v${reqId}`, ack });
  const get = (reqId: number) =>
    msg('c1', { type: 'ClientRequest', reqId, op: 'get', key: 'k', value: '', ack: reqId });
  const ok = (from: string, term: number, match: number, seq = 1) =>
    msg(from, { type: 'AppendResp', term, success: true, match, seq });

  it('a follower redirects the client to the leader it knows', () => {
    const s: ServerState = { ...withLog([1], 1), leader: 's3' };
    const r = step(s, put(1), 's2');
    expect(r.sent[0]).toEqual({
      to: 'c1',
      msg: { type: 'ClientResponse', reqId: 1, ok: false, leader: 's3' },
    });
  });

  it('a retried write (same client and request id) is applied once', () => {
    const s = leader();
    step(s, put(7));
    step(s, put(7)); // the retry arrives before the commit
    expect(lastLogIndex(s)).toBe(3);
    step(s, ok('s2', 1, 3));
    const r = step(s, ok('s3', 1, 3));
    expect(s.commitIndex).toBe(3);
    expect(s.kv).toEqual({ k: 'v7' });
    expect(s.sessions.c1!.done).toEqual([7]);
    // Both copies are answered (the client keeps the first answer).
    expect(r.sent.filter((o) => (o.msg as ClientResponse).type === 'ClientResponse').length).toBe(2);
    // A later retry of an applied write is answered at once, without a new entry.
    const again = step(s, put(7));
    expect(lastLogIndex(s)).toBe(3);
    expect(again.sent[0]!.msg).toMatchObject({ type: 'ClientResponse', reqId: 7, ok: true });
  });

  it('a write applied and acknowledged is never applied again, even from a late duplicate', () => {
    const s: ServerState = { ...leader(), kv: { k: 'v9' }, sessions: { c1: { ack: 8, done: [8] } } };
    // Request 5 is below the client's ack: it was applied and answered long ago.
    const r = step(s, put(5, 5));
    expect(lastLogIndex(s)).toBe(1);
    expect(r.sent[0]!.msg).toMatchObject({ ok: true, reqId: 5 });
  });

  it('read index: a read is served only after a heartbeat round confirms leadership', () => {
    const s: ServerState = { ...leader(), kv: { k: 'v1' } };
    const r = step(s, get(3));
    expect(s.reads).toHaveLength(1);
    expect(r.sent.every((o) => o.msg.type === 'AppendEntries')).toBe(true);
    const seq = (r.sent[0]!.msg as AppendEntries).seq;
    step(s, ok('s2', 1, 1, seq - 1)); // an older round does not count
    step(s, ok('s3', 1, 1, seq));
    expect(s.reads).toHaveLength(1);
    const t = step(s, ok('s4', 1, 1, seq));
    expect(s.reads).toHaveLength(0);
    expect(t.sent).toContainEqual({
      to: 'c1',
      msg: { type: 'ClientResponse', reqId: 3, ok: true, value: 'v1', leader: 's1' },
    });
  });

  it('a new leader does not serve reads before its term no-op is committed', () => {
    const s: ServerState = {
      ...leader(),
      log: withLog([1, 2]).log,
      currentTerm: 2,
      termStart: 2,
      commitIndex: 1,
      lastApplied: 1,
    };
    const r = step(s, get(3));
    const seq = (r.sent[0]!.msg as AppendEntries).seq;
    for (const p of ['s2', 's3', 's4', 's5']) step(s, ok(p, 2, 1, seq));
    expect(s.reads).toHaveLength(1); // leadership confirmed, but the read index (2) is not applied
    step(s, ok('s2', 2, 2, seq));
    const c = step(s, ok('s3', 2, 2, seq));
    expect(s.commitIndex).toBe(2);
    expect(s.reads).toHaveLength(0);
    // The no-op of its term is the new leader's first commit.
    expect(c.events).toContainEqual({ type: 'first-commit', index: 2 });
  });

  it('a client follows the leader hint and retries with the same request id', () => {
    const c = initClient();
    const op = { id: 40, client: 'c1', op: 'write' as const, key: 'k', value: 'v' };
    let r = step(c, { kind: 'client', op }, 'c1');
    const first = r.sent[0]!;
    const reqId = (first.msg as { reqId: number }).reqId;
    r = step(c, msg(first.to, { type: 'ClientResponse', reqId, ok: false, leader: 's4' }), 'c1');
    expect(r.sent[0]!.to).toBe('s4');
    expect((r.sent[0]!.msg as { reqId: number }).reqId).toBe(reqId);
    // No answer within clientRetryMs: re-sent (same id) to another server.
    const later = 1_000_000 + 100_000;
    r = step(c, { kind: 'timer', name: 'retry' }, 'c1', {}, later);
    expect(r.sent[0]!.to).toBe('s5');
    expect((r.sent[0]!.msg as { reqId: number }).reqId).toBe(reqId);
    r = step(c, msg('s5', { type: 'ClientResponse', reqId, ok: true, leader: 's5' }), 'c1', {}, later);
    expect(r.replies).toEqual([{ id: 40, result: { ok: true } }]);
    expect(c.pending).toEqual([]);
    expect(c.leader).toBe('s5');
  });
});
