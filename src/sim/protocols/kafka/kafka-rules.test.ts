/**
 * Kafka's rules one input at a time, off the kernel (toolkit `handle`): the high watermark,
 * acks, min.insync.replicas, the ISR, KIP-101 truncation, the controller's elections.
 */
import { describe, expect, it } from 'vitest';
import type { Input } from '../../protocol';
import { handle } from '../../toolkit/recorder';
import { endOffsetForEpoch, initBroker } from './broker';
import { assignReplicas, electLeader, initController } from './controller';
import { kafka } from './kafka';
import {
  type BrokerState,
  type ControllerState,
  type KafkaMsg,
  KafkaParams,
  type LogRecord,
  type PartitionRecord,
} from './types';

const NODES = { ctl: 'controller', b1: 'broker', b2: 'broker', b3: 'broker', c1: 'client' };
const params = (p: Record<string, unknown> = {}) => KafkaParams.parse({ partitions: 1, ...p });
const world = (self: string, p: Record<string, unknown> = {}, nowUs = 0) => ({
  self,
  nodes: NODES,
  params: params(p),
  nowUs,
});
const msg = (from: string, m: KafkaMsg): Input<KafkaMsg> => ({ kind: 'message', from, msg: m });
const rec = (offset: number, epoch: number, value = `v${offset}`): LogRecord => ({
  offset,
  epoch,
  timestamp: 0,
  key: 'k',
  value,
});

/** Partition 0 on b1, b2, b3 (b1 leads at `epoch`), as a Metadata message. */
function metadata(version: number, over: Partial<PartitionRecord> = {}): KafkaMsg {
  const p = { ...assignReplicas(['b1', 'b2', 'b3'], 1, 3)[0]!, ...over };
  return { type: 'Metadata', version, partitions: [p] };
}

/** b1 leading p0 with `log`, every follower caught up to `followerLeo`. */
function leader(
  log: LogRecord[] = [],
  p: Record<string, unknown> = {},
  over: Partial<PartitionRecord> = {},
): BrokerState {
  const s = initBroker(params(p));
  s.replicas[0] = { log: [...log], highWatermark: 0 };
  handle(kafka, s, msg('ctl', metadata(1, over)), world('b1', p));
  return s;
}

const fetch = (offset: number, lastEpoch: number, leaderEpoch = 0): KafkaMsg => ({
  type: 'Fetch',
  partitions: [
    { partition: 0, fetchOffset: offset, lastFetchedEpoch: lastEpoch, currentLeaderEpoch: leaderEpoch },
  ],
});
const produce = (req: number, acks: '0' | '1' | 'all', value = `x${req}`): KafkaMsg => ({
  type: 'Produce',
  req,
  partition: 0,
  key: 'k',
  value,
  acks,
});

describe('Kafka replication rules (Design §4.7)', () => {
  it('acks=all: the answer waits until every ISR member has fetched past the record (HW = min LEO over the ISR)', () => {
    const s = leader();
    const out = handle(kafka, s, msg('c1', produce(1, 'all')), world('b1'));
    expect(out.sent).toEqual([]);
    expect(s.replicas[0]!.log).toHaveLength(1);
    // b2 has the record (its next fetch asks from offset 1); b3 not yet: HW stays at 0.
    handle(kafka, s, msg('b2', fetch(1, 0)), world('b1'));
    expect(s.replicas[0]!.highWatermark).toBe(0);
    const last = handle(kafka, s, msg('b3', fetch(1, 0)), world('b1'));
    expect(s.replicas[0]!.highWatermark).toBe(1);
    expect(last.sent.find((x) => x.to === 'c1')?.msg).toMatchObject({
      type: 'ProduceResponse',
      req: 1,
      error: 'none',
      offset: 0,
    });
  });

  it('a fetch returns the records from fetchOffset on, with the leader’s high watermark', () => {
    const s = leader([rec(0, 0), rec(1, 0), rec(2, 0)]);
    const out = handle(kafka, s, msg('b2', fetch(1, 0)), world('b1'));
    expect(out.sent).toEqual([
      {
        to: 'b2',
        msg: {
          type: 'FetchResponse',
          partitions: [
            {
              partition: 0,
              error: 'none',
              records: [rec(1, 0), rec(2, 0)],
              highWatermark: 0,
              divergingEpoch: null,
            },
          ],
        },
      },
    ]);
  });

  it('acks=1 answers once the leader has appended; acks=0 gets no answer at all', () => {
    const s = leader();
    const one = handle(kafka, s, msg('c1', produce(1, '1')), world('b1'));
    expect(one.sent[0]?.msg).toMatchObject({ type: 'ProduceResponse', error: 'none', offset: 0 });
    const zero = handle(kafka, s, msg('c1', produce(2, '0')), world('b1'));
    expect(zero.sent).toEqual([]);
    expect(s.replicas[0]!.log.map((r) => r.value)).toEqual(['x1', 'x2']);
    expect(s.replicas[0]!.highWatermark).toBe(0);
  });

  it('min.insync.replicas: with a smaller ISR an acks=all produce is refused before the append (NotEnoughReplicas)', () => {
    const s = leader([], { minInsyncReplicas: 2 }, { isr: ['b1'] });
    const out = handle(kafka, s, msg('c1', produce(1, 'all')), world('b1', { minInsyncReplicas: 2 }));
    expect(out.sent[0]?.msg).toMatchObject({ type: 'ProduceResponse', error: 'not-enough-replicas' });
    expect(s.replicas[0]!.log).toEqual([]);
    // acks=1 does not look at the ISR.
    handle(kafka, s, msg('c1', produce(2, '1')), world('b1', { minInsyncReplicas: 2 }));
    expect(s.replicas[0]!.log).toHaveLength(1);
  });

  it('a broker that does not lead the partition answers NotLeaderOrFollower with the leader it knows', () => {
    const s = initBroker(params());
    s.replicas[0] = { log: [], highWatermark: 0 };
    handle(kafka, s, msg('ctl', metadata(1)), world('b2'));
    const out = handle(kafka, s, msg('c1', produce(1, 'all')), world('b2'));
    expect(out.sent[0]?.msg).toMatchObject({ error: 'not-leader-or-follower', leader: 'b1' });
  });

  it('bugAdvanceHwBeforeIsr: the HW jumps to the leader’s log end at the append', () => {
    const s = leader([], { bugAdvanceHwBeforeIsr: true });
    handle(kafka, s, msg('c1', produce(1, 'all')), world('b1', { bugAdvanceHwBeforeIsr: true }));
    expect(s.replicas[0]!.highWatermark).toBe(1);
  });

  it('bugAckAllFromLeaderOnly: acks=all is answered at the append, before any follower has the record', () => {
    const s = leader([], { bugAckAllFromLeaderOnly: true });
    const out = handle(
      kafka,
      s,
      msg('c1', produce(1, 'all')),
      world('b1', { bugAckAllFromLeaderOnly: true }),
    );
    expect(out.sent[0]?.msg).toMatchObject({ type: 'ProduceResponse', error: 'none' });
    expect(s.replicas[0]!.highWatermark).toBe(0);
  });

  it('a follower not caught up for replica.lag.time.max.ms leaves the ISR (AlterPartition); the HW counts it until the controller agrees', () => {
    const s = leader([rec(0, 0)]);
    handle(kafka, s, msg('b2', fetch(1, 0)), world('b1', {}, 50_000)); // b2 caught up at 50 ms; b3 never fetched
    const out = handle(kafka, s, { kind: 'timer', name: 'isr' }, world('b1', {}, 250_000));
    expect(out.sent).toEqual([
      {
        to: 'ctl',
        msg: { type: 'AlterPartition', partition: 0, leaderEpoch: 0, partitionEpoch: 0, isr: ['b1', 'b2'] },
      },
    ]);
    expect(out.notes[0]).toContain('b3 out of sync');
    // Pending: the maximal ISR still has b3, so the HW does not move.
    handle(kafka, s, msg('b2', fetch(1, 0)), world('b1', {}, 260_000));
    expect(s.replicas[0]!.highWatermark).toBe(0);
    const accepted = { ...s.partitions[0]!, isr: ['b1', 'b2'], partitionEpoch: 1 };
    handle(
      kafka,
      s,
      msg('ctl', {
        type: 'AlterPartitionResponse',
        partition: 0,
        requested: ['b1', 'b2'],
        accepted: true,
        record: accepted,
      }),
      world('b1', {}, 270_000),
    );
    expect(s.replicas[0]!.highWatermark).toBe(1);
  });

  it('a follower is caught up if it reached the log end now, or the log end of its previous fetch (Replica.updateFetchState)', () => {
    const s = leader([rec(0, 0), rec(1, 0)]);
    handle(kafka, s, msg('b2', fetch(0, -1)), world('b1', {}, 10_000)); // behind: not caught up now
    expect(s.leading[0]!.followers.b2!.lastCaughtUpUs).toBe(0);
    handle(kafka, s, msg('c1', produce(1, '1')), world('b1', {}, 15_000)); // the log end moves on to 3
    handle(kafka, s, msg('b2', fetch(2, 0)), world('b1', {}, 20_000)); // reached the log end of its previous fetch
    expect(s.leading[0]!.followers.b2!.lastCaughtUpUs).toBe(10_000);
    handle(kafka, s, msg('b2', fetch(3, 0)), world('b1', {}, 30_000)); // at the log end
    expect(s.leading[0]!.followers.b2!.lastCaughtUpUs).toBe(30_000);
  });

  it('a late answer to an earlier AlterPartition leaves the newer one pending: the HW still counts the follower coming back', () => {
    // Found by a run with lossy links (seed 25): the metadata brought the shrink first, b3 was
    // asked back in, then the shrink's own answer arrived and dropped b3 from the maximal ISR.
    const s = leader([rec(0, 0), rec(1, 0), rec(2, 0), rec(3, 0)]);
    handle(kafka, s, msg('b2', fetch(4, 0)), world('b1', {}, 50_000));
    handle(kafka, s, { kind: 'timer', name: 'isr' }, world('b1', {}, 250_000)); // b3 out: shrink asked
    expect(s.leading[0]!.pendingIsr).toEqual(['b1', 'b2']);
    const shrunk = { ...s.partitions[0]!, isr: ['b1', 'b2'], partitionEpoch: 1 };
    handle(
      kafka,
      s,
      msg('ctl', { type: 'Metadata', version: 2, partitions: [shrunk] }),
      world('b1', {}, 251_000),
    );
    expect(s.replicas[0]!.highWatermark).toBe(4);
    handle(kafka, s, msg('b3', fetch(4, 0)), world('b1', {}, 252_000)); // caught up to the HW: asked back in
    expect(s.leading[0]!.pendingIsr).toEqual(['b1', 'b2', 'b3']);
    handle(kafka, s, msg('c1', produce(9, '1')), world('b1', {}, 252_500));
    handle(kafka, s, msg('b2', fetch(5, 0)), world('b1', {}, 253_000));
    handle(
      kafka,
      s,
      msg('ctl', {
        type: 'AlterPartitionResponse',
        partition: 0,
        requested: ['b1', 'b2'],
        accepted: true,
        record: shrunk,
      }),
      world('b1', {}, 254_000),
    );
    expect(s.leading[0]!.pendingIsr).toEqual(['b1', 'b2', 'b3']);
    expect(s.replicas[0]!.highWatermark).toBe(4); // b3 has 4 records: not 5
  });

  it('an AlterPartition left unanswered is sent again at the current epochs', () => {
    const s = leader([rec(0, 0)]);
    handle(kafka, s, msg('b2', fetch(1, 0)), world('b1', {}, 50_000));
    handle(kafka, s, { kind: 'timer', name: 'isr' }, world('b1', {}, 250_000));
    const again = handle(kafka, s, { kind: 'timer', name: 'isr' }, world('b1', {}, 350_000));
    expect(again.sent).toEqual([
      {
        to: 'ctl',
        msg: { type: 'AlterPartition', partition: 0, leaderEpoch: 0, partitionEpoch: 0, isr: ['b1', 'b2'] },
      },
    ]);
  });

  it('a caught-up follower outside the ISR is asked back in', () => {
    const s = leader([rec(0, 0)], {}, { isr: ['b1', 'b2'] });
    s.replicas[0]!.highWatermark = 1;
    const out = handle(kafka, s, msg('b3', fetch(1, 0)), world('b1'));
    expect(out.sent.find((x) => x.to === 'ctl')?.msg).toMatchObject({
      type: 'AlterPartition',
      isr: ['b1', 'b2', 'b3'],
    });
  });
});

describe('leader epochs and truncation (KIP-101, KIP-320)', () => {
  it('endOffsetForEpoch: where the log of an epoch ends, from the largest epoch at most the one asked', () => {
    const log = [rec(0, 0), rec(1, 0), rec(2, 2), rec(3, 2), rec(4, 5)];
    expect(endOffsetForEpoch(log, 0)).toEqual({ epoch: 0, endOffset: 2 });
    expect(endOffsetForEpoch(log, 1)).toEqual({ epoch: 0, endOffset: 2 });
    expect(endOffsetForEpoch(log, 2)).toEqual({ epoch: 2, endOffset: 4 });
    expect(endOffsetForEpoch(log, 7)).toEqual({ epoch: 5, endOffset: 5 });
    expect(endOffsetForEpoch([], 3)).toEqual({ epoch: -1, endOffset: 0 });
  });

  it('a follower whose last epoch the leader does not have is told where to truncate, then truncates there', () => {
    // The new leader b2 (epoch 1) has two records of epoch 0; b1 comes back with four (two never committed).
    const lead = initBroker(params());
    lead.replicas[0] = { log: [rec(0, 0), rec(1, 0), rec(2, 1, 'new')], highWatermark: 2 };
    handle(kafka, lead, msg('ctl', metadata(2, { leader: 'b2', leaderEpoch: 1 })), world('b2'));
    const out = handle(kafka, lead, msg('b1', fetch(4, 0, 1)), world('b2'));
    const answer = out.sent[0]!.msg as Extract<KafkaMsg, { type: 'FetchResponse' }>;
    expect(answer.partitions[0]!.divergingEpoch).toEqual({ epoch: 0, endOffset: 2 });
    expect(answer.partitions[0]!.records).toEqual([]);

    const back = initBroker(params());
    back.replicas[0] = {
      log: [rec(0, 0), rec(1, 0), rec(2, 0, 'lost'), rec(3, 0, 'lost')],
      highWatermark: 2,
    };
    handle(kafka, back, msg('ctl', metadata(2, { leader: 'b2', leaderEpoch: 1 })), world('b1'));
    back.fetching.b2 = 0;
    const t = handle(kafka, back, msg('b2', answer), world('b1'));
    expect(back.replicas[0]!.log.map((r) => r.value)).toEqual(['v0', 'v1']);
    expect(back.truncated).toBe(2);
    expect(t.notes[0]).toContain('truncate 2 record(s) from offset 2');
    // It fetches again at once, from offset 2 with its last epoch 0: no divergence now.
    expect(t.sent[0]?.msg).toMatchObject({
      type: 'Fetch',
      partitions: [{ fetchOffset: 2, lastFetchedEpoch: 0, currentLeaderEpoch: 1 }],
    });
    const next = handle(kafka, lead, msg('b1', fetch(2, 0, 1)), world('b2'));
    expect(
      (next.sent[0]!.msg as Extract<KafkaMsg, { type: 'FetchResponse' }>).partitions[0]!.records,
    ).toEqual([rec(2, 1, 'new')]);
  });

  it('a fetch from an older or newer leader epoch is refused (fenced)', () => {
    const s = leader([rec(0, 0)]);
    const out = handle(kafka, s, msg('b2', fetch(1, 0, 3)), world('b1'));
    expect((out.sent[0]!.msg as Extract<KafkaMsg, { type: 'FetchResponse' }>).partitions[0]!.error).toBe(
      'fenced-leader-epoch',
    );
  });

  it('a new leader serves reads only once its HW reaches the start of its epoch (KIP-207), and only below the HW', () => {
    const s = initBroker(params());
    s.replicas[0] = { log: [rec(0, 0, 'a'), rec(1, 0, 'b')], highWatermark: 1 };
    handle(kafka, s, msg('ctl', metadata(2, { leader: 'b2', leaderEpoch: 1 })), world('b2'));
    const read: KafkaMsg = { type: 'ReadLatest', req: 1, partition: 0, key: 'k' };
    expect(handle(kafka, s, msg('c1', read), world('b2')).sent[0]!.msg).toMatchObject({
      error: 'offset-not-available',
    });
    handle(kafka, s, msg('b1', fetch(2, 0, 1)), world('b2'));
    handle(kafka, s, msg('b3', fetch(2, 0, 1)), world('b2'));
    expect(s.replicas[0]!.highWatermark).toBe(2);
    const out = handle(kafka, s, msg('c1', read), world('b2'));
    expect(out.sent[0]!.msg).toMatchObject({ error: 'none', value: 'b' });
    expect(out.events).toEqual([{ type: 'consumed', partition: 0, upTo: 2 }]);
  });
});

describe('the controller (KIP-631, KIP-497)', () => {
  const ctl = (): ControllerState => {
    const c = initController(params());
    handle(kafka, c, { kind: 'start' }, world('ctl'));
    return c;
  };

  it('creates the topic at start: replicas b1,b2,b3 for p0, b1 leads, everyone in sync, pushed to every broker', () => {
    const c = initController(params());
    const out = handle(kafka, c, { kind: 'start' }, world('ctl'));
    expect(c.partitions[0]).toMatchObject({
      replicas: ['b1', 'b2', 'b3'],
      leader: 'b1',
      isr: ['b1', 'b2', 'b3'],
      leaderEpoch: 0,
    });
    expect(out.sent.map((x) => x.to)).toEqual(['b1', 'b2', 'b3']);
    expect(assignReplicas(['b1', 'b2', 'b3'], 3, 2).map((p) => p.replicas)).toEqual([
      ['b1', 'b2'],
      ['b2', 'b3'],
      ['b3', 'b1'],
    ]);
  });

  it('fences a silent broker: out of the ISR, and the next in-sync replica leads a new epoch', () => {
    const c = ctl();
    for (const b of ['b2', 'b3'])
      handle(kafka, c, msg(b, { type: 'BrokerHeartbeat', metadataVersion: 1 }), world('ctl', {}, 290_000));
    const out = handle(kafka, c, { kind: 'timer', name: 'session' }, world('ctl', {}, 301_000));
    expect(c.brokers.b1!.fenced).toBe(true);
    expect(c.partitions[0]).toMatchObject({
      leader: 'b2',
      leaderEpoch: 1,
      isr: ['b2', 'b3'],
      leaderRecoveryState: 'recovered',
    });
    expect(out.sent.map((x) => x.to)).toEqual(['b2', 'b3']);
  });

  it('electLeader: clean from the ISR; with none alive, offline unless unclean election is on', () => {
    const c = ctl();
    c.brokers.b1!.fenced = true;
    const p = { ...c.partitions[0]!, isr: ['b1'] };
    expect(electLeader(c, p, false)).toEqual({ leader: '', unclean: false });
    expect(electLeader(c, p, true)).toEqual({ leader: 'b2', unclean: true });
    expect(electLeader(c, { ...p, isr: ['b1', 'b3'] }, false)).toEqual({ leader: 'b3', unclean: false });
  });

  it('an unclean election is recorded: the new leader alone in the ISR, recovering, its epoch remembered', () => {
    const c = ctl();
    c.partitions[0] = { ...c.partitions[0]!, isr: ['b1'] };
    for (const b of ['b2', 'b3'])
      handle(
        kafka,
        c,
        msg(b, { type: 'BrokerHeartbeat', metadataVersion: 1 }),
        world('ctl', { uncleanLeaderElection: true }, 290_000),
      );
    const out = handle(
      kafka,
      c,
      { kind: 'timer', name: 'session' },
      world('ctl', { uncleanLeaderElection: true }, 301_000),
    );
    expect(c.partitions[0]).toMatchObject({ leader: 'b2', isr: ['b2'], leaderRecoveryState: 'recovering' });
    expect(c.lastUncleanEpoch[0]).toBe(c.partitions[0]!.leaderEpoch);
    expect(c.uncleanElections).toBe(1);
    expect(out.notes.some((n) => n.includes('UNCLEAN'))).toBe(true);
  });

  it('AlterPartition is refused at a stale partition epoch or from a non-leader, and taken otherwise', () => {
    const c = ctl();
    const ask = (from: string, partitionEpoch: number) =>
      handle(
        kafka,
        c,
        msg(from, {
          type: 'AlterPartition',
          partition: 0,
          leaderEpoch: 0,
          partitionEpoch,
          isr: ['b1', 'b2'],
        }),
        world('ctl'),
      );
    expect(ask('b2', 0).sent[0]!.msg).toMatchObject({ accepted: false });
    expect(ask('b1', 5).sent[0]!.msg).toMatchObject({ accepted: false });
    const ok = ask('b1', 0);
    expect(ok.sent[0]!.msg).toMatchObject({
      accepted: true,
      record: { isr: ['b1', 'b2'], partitionEpoch: 1 },
    });
    expect(c.isrShrinks).toBe(1);
  });
});
