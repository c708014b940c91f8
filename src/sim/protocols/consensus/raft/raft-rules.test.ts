import { describe, expect, it } from 'vitest';
import { Rng } from '../../../kernel/rng';
import type { Input, StepEnv } from '../../../protocol';
import { initClient, stepClient } from './client';
import { lastIndex, logAppend, logEntries, newEntry, termAt } from './log';
import { initServer, stepServer } from './server';
import {
  type AppendEntries,
  type AppendResp,
  type ClientResponse,
  type RaftMsg,
  RaftParams,
  type RequestVoteResp,
  type ServerState,
} from './types';

/**
 * Rules of the paper, one step at a time, on the pure step function (no kernel). Section
 * numbers: Ongaro & Ousterhout 2014 (extended version); Figure 2 is the rule summary.
 */

const SERVERS = ['s1', 's2', 's3', 's4', 's5'];

function env(self: string, params: Partial<RaftParams> = {}, localTimeUs = 1_000_000): StepEnv<RaftParams> {
  return {
    self,
    role: self.startsWith('c') ? 'client' : 'server',
    peers: [...SERVERS, 'c1'].filter((x) => x !== self),
    nodesWithRole: (r) => (r === 'server' ? SERVERS : ['c1']),
    localTimeUs,
    rng: new Rng(1, self),
    params: RaftParams.parse(params),
  };
}

const msg = (from: string, m: RaftMsg): Input<RaftMsg> => ({ kind: 'message', from, msg: m });

/** A follower with a log of the given terms (no-op entries). */
function withLog(terms: number[], term = terms.at(-1) ?? 0): ServerState {
  let s: ServerState = { ...initServer(false), term };
  for (const t of terms) s = { ...s, log: logAppend(s.log, [newEntry(s, t, { kind: 'noop' })]) };
  return s;
}

function ae(
  term: number,
  prevIndex: number,
  prevTerm: number,
  entryTerms: number[],
  commit = 0,
): AppendEntries {
  let base = withLog([]);
  // Entries hashed on some base log: hashes do not matter to the protocol, only terms.
  const entries = entryTerms.map((t) => {
    const e = newEntry(base, t, { kind: 'noop' });
    base = { ...base, log: logAppend(base.log, [e]) };
    return e;
  });
  return { type: 'AppendEntries', term, prevIndex, prevTerm, entries, commit, seq: 1 };
}

describe('Raft §5.1 terms', () => {
  it('rejects an AppendEntries with a stale term and answers with its own term (§5.1)', () => {
    const s = withLog([1, 2], 3);
    const r = stepServer(s, msg('s2', ae(2, 2, 2, [2])), env('s1'));
    expect(lastIndex(r.state)).toBe(2);
    const resp = r.send![0]!.msg as AppendResp;
    expect(resp).toMatchObject({ type: 'AppendResp', term: 3, success: false });
    expect(r.state.leader).toBe('');
  });

  it('a leader that sees a higher term steps down to follower (§5.1)', () => {
    const s: ServerState = {
      ...withLog([1], 2),
      role: 'leader',
      leader: 's1',
      next: { s2: 2 },
      match: { s2: 0 },
    };
    const resp: AppendResp = { type: 'AppendResp', term: 5, success: false, match: 0, seq: -1 };
    const r = stepServer(s, msg('s2', resp), env('s1'));
    expect(r.state).toMatchObject({ role: 'follower', term: 5, votedFor: '' });
    expect(r.timers).toContainEqual({ kind: 'cancel', name: 'heartbeat' });
  });

  it('rejects a RequestVote with a stale term (§5.1)', () => {
    const s = withLog([1], 4);
    const r = stepServer(
      s,
      msg('s2', { type: 'RequestVote', term: 3, lastLogIndex: 9, lastLogTerm: 3, pre: false }),
      env('s1'),
    );
    expect((r.send![0]!.msg as RequestVoteResp).granted).toBe(false);
    expect(r.state.votedFor).toBe('');
  });
});

describe('Raft §5.2 leader election', () => {
  it('an election timeout makes a follower a candidate for the next term that votes for itself', () => {
    const s = withLog([1], 1);
    const r = stepServer(s, { kind: 'timer', name: 'election' }, env('s1'));
    expect(r.state).toMatchObject({ role: 'candidate', term: 2, votedFor: 's1', votes: ['s1'] });
    const targets = r.send!.map((o) => o.to).sort();
    expect(targets).toEqual(['s2', 's3', 's4', 's5']);
    expect(r.send![0]!.msg).toMatchObject({ type: 'RequestVote', term: 2, lastLogIndex: 1, lastLogTerm: 1 });
    // The new election timeout is randomized within [min, max] (§5.2).
    const t = r.timers!.find((x) => x.kind === 'set' && x.name === 'election') as { afterUs: number };
    expect(t.afterUs).toBeGreaterThanOrEqual(150_000);
    expect(t.afterUs).toBeLessThanOrEqual(300_000);
  });

  it('grants at most one vote per term, first come first served', () => {
    const s = withLog([1], 1);
    const rv = (term: number) => ({
      type: 'RequestVote' as const,
      term,
      lastLogIndex: 1,
      lastLogTerm: 1,
      pre: false,
    });
    const a = stepServer(s, msg('s2', rv(2)), env('s1'));
    expect((a.send![0]!.msg as RequestVoteResp).granted).toBe(true);
    expect(a.state.votedFor).toBe('s2');
    const b = stepServer(a.state, msg('s3', rv(2)), env('s1'));
    expect((b.send![0]!.msg as RequestVoteResp).granted).toBe(false);
    // The same candidate asking again (a retry) gets the same answer.
    const again = stepServer(a.state, msg('s2', rv(2)), env('s1'));
    expect((again.send![0]!.msg as RequestVoteResp).granted).toBe(true);
  });

  it('a candidate with votes from a majority becomes leader, appends a no-op and sends heartbeats', () => {
    let s = stepServer(withLog([1], 1), { kind: 'timer', name: 'election' }, env('s1')).state;
    const grant: RequestVoteResp = { type: 'RequestVoteResp', term: 2, granted: true, pre: false };
    s = stepServer(s, msg('s2', grant), env('s1')).state;
    expect(s.role).toBe('candidate');
    const r = stepServer(s, msg('s3', grant), env('s1'));
    expect(r.state.role).toBe('leader');
    expect(termAt(r.state, lastIndex(r.state))).toBe(2); // §8 no-op of the new term
    expect(r.send!.filter((o) => (o.msg as RaftMsg).type === 'AppendEntries').length).toBe(4);
    expect(r.timers).toContainEqual({ kind: 'set', name: 'heartbeat', afterUs: 50_000 });
  });

  it('a candidate that hears from a leader of its term returns to follower (§5.2)', () => {
    const s = stepServer(withLog([1], 1), { kind: 'timer', name: 'election' }, env('s1')).state;
    const r = stepServer(s, msg('s3', ae(2, 1, 1, [])), env('s1'));
    expect(r.state).toMatchObject({ role: 'follower', term: 2, leader: 's3' });
  });

  it('pre-vote (thesis §9.6): no term change until a majority would vote', () => {
    const s = withLog([1], 1);
    const r = stepServer(s, { kind: 'timer', name: 'election' }, env('s1', { preVote: true }));
    expect(r.state).toMatchObject({ role: 'precandidate', term: 1 });
    expect(r.send![0]!.msg).toMatchObject({ type: 'RequestVote', term: 2, pre: true });
    // A follower that heard from its leader recently refuses and does not change its term.
    const f: ServerState = { ...withLog([1], 1), leader: 's3', leaderContactUs: 990_000 };
    const v = stepServer(f, msg('s1', r.send![0]!.msg), env('s2', { preVote: true }));
    expect((v.send![0]!.msg as RequestVoteResp).granted).toBe(false);
    expect(v.state.term).toBe(1);
  });
});

describe('Raft §5.3 log replication', () => {
  it('rejects AppendEntries whose prevIndex/prevTerm it does not hold (consistency check)', () => {
    const s = withLog([1, 1, 2], 3);
    const missing = stepServer(s, msg('s2', ae(3, 5, 3, [3])), env('s1'));
    expect(missing.send![0]!.msg).toMatchObject({ success: false, match: 3 });
    const wrongTerm = stepServer(s, msg('s2', ae(3, 3, 3, [3])), env('s1'));
    expect(wrongTerm.send![0]!.msg).toMatchObject({ success: false, match: 2 });
    expect(lastIndex(wrongTerm.state)).toBe(3);
  });

  it('deletes a conflicting entry and all that follow it, then appends', () => {
    const s = withLog([1, 1, 2, 2, 2], 3);
    const r = stepServer(s, msg('s2', ae(3, 2, 1, [3, 3])), env('s1'));
    expect(logEntries(r.state.log).map((e) => e.term)).toEqual([1, 1, 3, 3]);
    expect(r.send![0]!.msg).toMatchObject({ success: true, match: 4 });
  });

  it('a stale AppendEntries whose entries it already holds truncates nothing', () => {
    const s = withLog([1, 1, 3, 3], 3);
    const r = stepServer(s, msg('s2', ae(3, 1, 1, [1])), env('s1'));
    expect(logEntries(r.state.log).map((e) => e.term)).toEqual([1, 1, 3, 3]);
    expect(r.send![0]!.msg).toMatchObject({ success: true, match: 2 });
  });

  it('a follower commits min(leaderCommit, index of last new entry)', () => {
    const s = withLog([1], 1);
    const r = stepServer(s, msg('s2', ae(1, 1, 1, [1], 10)), env('s1'));
    expect(r.state.commitIndex).toBe(2);
    expect(r.state.lastApplied).toBe(2);
  });

  it('a leader backs nextIndex off on a failed check and retries at once', () => {
    const s: ServerState = {
      ...withLog([1, 1, 1, 2], 2),
      role: 'leader',
      next: { s2: 5, s3: 5, s4: 5, s5: 5 },
      match: { s2: 0, s3: 0, s4: 0, s5: 0 },
      acked: { s2: 0, s3: 0, s4: 0, s5: 0 },
      ackUs: { s2: 0, s3: 0, s4: 0, s5: 0 },
    };
    const resp: AppendResp = { type: 'AppendResp', term: 2, success: false, match: 1, seq: 1 };
    const r = stepServer(s, msg('s2', resp), env('s1'));
    const sent = r.send![0]!.msg as AppendEntries;
    expect(sent).toMatchObject({ type: 'AppendEntries', prevIndex: 1, prevTerm: 1 });
    expect(sent.entries.map((e) => e.term)).toEqual([1, 1, 2]);
  });
});

describe('Raft §5.4 safety', () => {
  const leaderAt = (
    terms: number[],
    term: number,
    match: Record<string, number>,
    p: Partial<RaftParams> = {},
  ) => {
    const s: ServerState = {
      ...withLog(terms, term),
      role: 'leader',
      next: { s2: terms.length + 1, s3: terms.length + 1, s4: terms.length + 1, s5: terms.length + 1 },
      match: { s2: 0, s3: 0, s4: 0, s5: 0, ...match },
      acked: { s2: 0, s3: 0, s4: 0, s5: 0 },
      ackUs: { s2: 0, s3: 0, s4: 0, s5: 0 },
    };
    return (from: string, m: number) =>
      stepServer(s, msg(from, { type: 'AppendResp', term, success: true, match: m, seq: 1 }), env('s1', p))
        .state;
  };

  it('§5.4.1 election restriction: no vote for a candidate whose log is less up-to-date', () => {
    const s = withLog([1, 2, 2], 2);
    const rv = (lastLogTerm: number, lastLogIndex: number) =>
      stepServer(
        s,
        msg('s2', { type: 'RequestVote', term: 3, lastLogIndex, lastLogTerm, pre: false }),
        env('s1'),
      );
    expect((rv(1, 10).send![0]!.msg as RequestVoteResp).granted).toBe(false); // older last term
    expect((rv(2, 2).send![0]!.msg as RequestVoteResp).granted).toBe(false); // same term, shorter
    expect((rv(2, 3).send![0]!.msg as RequestVoteResp).granted).toBe(true); // same term, as long
    expect((rv(3, 1).send![0]!.msg as RequestVoteResp).granted).toBe(true); // newer last term
    // The term is adopted even when the vote is refused (§5.1).
    expect(rv(1, 10).state.term).toBe(3);
    // bugNoElectionRestriction grants it anyway.
    const bug = stepServer(
      s,
      msg('s2', { type: 'RequestVote', term: 3, lastLogIndex: 10, lastLogTerm: 1, pre: false }),
      env('s1', { bugNoElectionRestriction: true }),
    );
    expect((bug.send![0]!.msg as RequestVoteResp).granted).toBe(true);
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
  it('durable() keeps currentTerm, votedFor and the log; the bug switch drops votedFor', async () => {
    const { raft } = await import('./raft');
    const s: ServerState = { ...withLog([1, 2], 3), votedFor: 's4', commitIndex: 2, role: 'leader' };
    const d = raft.durable(s) as Partial<ServerState>;
    expect(d).toMatchObject({ term: 3, votedFor: 's4', log: s.log });
    expect(d.commitIndex).toBeUndefined(); // volatile (Figure 2)
    expect(d.role).toBeUndefined();
    expect((raft.durable({ ...s, forgetVote: true }) as Partial<ServerState>).votedFor).toBeUndefined();
  });

  it('after a restart the state machine is rebuilt from the snapshot, not from volatile state', () => {
    const s: ServerState = {
      ...withLog([1, 1], 1),
      snap: { index: 0, term: 0, h: 0, kv: {}, sessions: {} },
      commitIndex: 0,
      lastApplied: 0,
      kv: { stale: 'x' },
    };
    const r = stepServer(s, { kind: 'restart' }, env('s1'));
    expect(r.state.kv).toEqual({});
    expect(r.state.commitIndex).toBe(0);
    expect(r.timers?.some((t) => t.kind === 'set' && t.name === 'election')).toBe(true);
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
    next: { s2: 2, s3: 2, s4: 2, s5: 2 },
    match: { s2: 1, s3: 1, s4: 1, s5: 1 },
    acked: { s2: 0, s3: 0, s4: 0, s5: 0 },
    ackUs: { s2: 0, s3: 0, s4: 0, s5: 0 },
  });
  const put = (reqId: number, ack = reqId) =>
    msg('c1', { type: 'ClientRequest', reqId, op: 'put', key: 'k', value: `v${reqId}`, ack });

  it('a follower redirects the client to the leader it knows', () => {
    const s: ServerState = { ...withLog([1], 1), leader: 's3' };
    const r = stepServer(s, put(1), env('s2'));
    expect(r.send![0]).toEqual({
      to: 'c1',
      msg: { type: 'ClientResponse', reqId: 1, ok: false, leader: 's3' },
    });
  });

  it('a retried write (same client and request id) is applied once', () => {
    let s = stepServer(leader(), put(7), env('s1')).state;
    s = stepServer(s, put(7), env('s1')).state; // the retry arrives before the commit
    expect(lastIndex(s)).toBe(3);
    const ok = (from: string, m: number) =>
      msg(from, { type: 'AppendResp', term: 1, success: true, match: m, seq: 1 });
    s = stepServer(s, ok('s2', 3), env('s1')).state;
    const r = stepServer(s, ok('s3', 3), env('s1'));
    expect(r.state.commitIndex).toBe(3);
    expect(r.state.kv).toEqual({ k: 'v7' });
    expect(r.state.sessions.c1!.done).toEqual([7]);
    // Both copies are answered (the client keeps the first answer).
    expect(r.send!.filter((o) => (o.msg as ClientResponse).type === 'ClientResponse').length).toBe(2);
    // A later retry of an applied write is answered at once, without a new entry.
    const again = stepServer(r.state, put(7), env('s1'));
    expect(lastIndex(again.state)).toBe(3);
    expect(again.send![0]!.msg).toMatchObject({ type: 'ClientResponse', reqId: 7, ok: true });
  });

  it('a write applied and acknowledged is never applied again, even from a late duplicate', () => {
    let s = leader();
    s = { ...s, kv: { k: 'v9' }, sessions: { c1: { ack: 8, done: [8] } } };
    // Request 5 is below the client's ack: it was applied and answered long ago.
    const r = stepServer(s, put(5, 5), env('s1'));
    expect(lastIndex(r.state)).toBe(1);
    expect(r.send![0]!.msg).toMatchObject({ ok: true, reqId: 5 });
  });

  it('read index: a read is served only after a heartbeat round confirms leadership', () => {
    const s: ServerState = { ...leader(), kv: { k: 'v1' } };
    const r = stepServer(
      s,
      msg('c1', { type: 'ClientRequest', reqId: 3, op: 'get', key: 'k', value: '', ack: 3 }),
      env('s1'),
    );
    expect(r.state.reads).toHaveLength(1);
    expect(r.send!.every((o) => (o.msg as RaftMsg).type === 'AppendEntries')).toBe(true);
    const seq = (r.send![0]!.msg as AppendEntries).seq;
    const ack = (from: string, q: number) =>
      msg(from, { type: 'AppendResp', term: 1, success: true, match: 1, seq: q });
    let t = stepServer(r.state, ack('s2', seq - 1), env('s1')); // an older round does not count
    t = stepServer(t.state, ack('s3', seq), env('s1'));
    expect(t.state.reads).toHaveLength(1);
    t = stepServer(t.state, ack('s4', seq), env('s1'));
    expect(t.state.reads).toHaveLength(0);
    expect(t.send).toContainEqual({
      to: 'c1',
      msg: { type: 'ClientResponse', reqId: 3, ok: true, value: 'v1', leader: 's1' },
    });
  });

  it('a new leader does not serve reads before its term no-op is committed', () => {
    const s: ServerState = {
      ...leader(),
      log: withLog([1, 2]).log,
      term: 2,
      termStart: 2,
      commitIndex: 1,
      lastApplied: 1,
    };
    let t = stepServer(
      s,
      msg('c1', { type: 'ClientRequest', reqId: 3, op: 'get', key: 'k', value: '', ack: 3 }),
      env('s1'),
    );
    const seq = (t.send![0]!.msg as AppendEntries).seq;
    for (const p of ['s2', 's3', 's4', 's5'])
      t = stepServer(
        t.state,
        msg(p, { type: 'AppendResp', term: 2, success: true, match: 1, seq }),
        env('s1'),
      );
    expect(t.state.reads).toHaveLength(1); // leadership confirmed, but the read index (2) is not applied
    t = stepServer(
      t.state,
      msg('s2', { type: 'AppendResp', term: 2, success: true, match: 2, seq }),
      env('s1'),
    );
    t = stepServer(
      t.state,
      msg('s3', { type: 'AppendResp', term: 2, success: true, match: 2, seq }),
      env('s1'),
    );
    expect(t.state.commitIndex).toBe(2);
    expect(t.state.reads).toHaveLength(0);
  });

  it('a client follows the leader hint and retries with the same request id', () => {
    const e = env('c1');
    let r = stepClient(
      initClient(),
      { kind: 'client', op: { id: 40, client: 'c1', op: 'write', key: 'k', value: 'v' } },
      e,
    );
    const first = r.send![0]!;
    const reqId = (first.msg as { reqId: number }).reqId;
    r = stepClient(r.state, msg(first.to, { type: 'ClientResponse', reqId, ok: false, leader: 's4' }), e);
    expect(r.send![0]!.to).toBe('s4');
    expect((r.send![0]!.msg as { reqId: number }).reqId).toBe(reqId);
    // No answer within clientRetryMs: re-sent (same id) to another server.
    const later = env('c1', {}, 1_000_000 + 100_000);
    r = stepClient(r.state, { kind: 'timer', name: 'retry' }, later);
    expect(r.send![0]!.to).toBe('s5');
    expect((r.send![0]!.msg as { reqId: number }).reqId).toBe(reqId);
    r = stepClient(r.state, msg('s5', { type: 'ClientResponse', reqId, ok: true, leader: 's5' }), later);
    expect(r.reply).toEqual([{ id: 40, ok: true }]);
    expect(r.state.pending).toEqual([]);
    expect(r.state.leader).toBe('s5');
  });
});
