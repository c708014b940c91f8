import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Assignment,
  type AssignorName,
  assign,
  type Subscription,
  type TopicPartition,
  tpName,
} from './assignors';

// The worked examples are those of the assignors' javadocs in Apache Kafka's client,
// clients/src/main/java/org/apache/kafka/clients/consumer/: RangeAssignor.java (apache/kafka
// commit 2a1f1a6cd350d2e655e5a0b41d66fca8f0af5782), RoundRobinAssignor.java (2aa42d4a541c
// 2966210de131c447e4081b3dd8b1) and StickyAssignor.java (0710fc60e26239e605a084fc110e91e8c623e72c).

/** "t0p1" → topic t0, partition 1, as the javadocs write them. */
function tp(short: string): TopicPartition {
  const m = /^(t\d+)p(\d+)$/.exec(short);
  if (!m) throw new Error(`not a tXpY name: ${short}`);
  return { topic: m[1]!, partition: Number(m[2]) };
}

/** Member → its partitions in the javadoc's short names, sorted (order inside a member's list carries no meaning). */
function short(assignment: Assignment): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [member, tps] of Object.entries(assignment))
    out[member] = tps.map((x) => `${x.topic}p${x.partition}`).sort();
  return out;
}

function sorted(expected: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(expected).map(([m, l]) => [m, [...l].sort()]));
}

function owning(subs: Record<string, Subscription>, previous: Record<string, string[]>) {
  const out: Record<string, Subscription> = {};
  for (const [member, s] of Object.entries(subs))
    out[member] = { ...s, held: (previous[member] ?? []).map(tp) };
  return out;
}

const all = (...topics: string[]): Subscription => ({ topics });

describe('RangeAssignor (its javadoc example)', () => {
  it('two consumers, two topics of 3 partitions: C0 gets the first two of each, C1 the last', () => {
    const got = assign('range', { t0: 3, t1: 3 }, { C0: all('t0', 't1'), C1: all('t0', 't1') });
    expect(short(got)).toEqual(sorted({ C0: ['t0p0', 't0p1', 't1p0', 't1p1'], C1: ['t0p2', 't1p2'] }));
  });
});

describe('RoundRobinAssignor (its javadoc examples)', () => {
  it('two consumers, two topics of 3 partitions: dealt alternately', () => {
    const got = assign('roundrobin', { t0: 3, t1: 3 }, { C0: all('t0', 't1'), C1: all('t0', 't1') });
    expect(short(got)).toEqual(sorted({ C0: ['t0p0', 't0p2', 't1p1'], C1: ['t0p1', 't1p0', 't1p2'] }));
  });

  it('differing subscriptions: members not subscribed to a topic are skipped, unevenly', () => {
    const subs = { C0: all('t0'), C1: all('t0', 't1'), C2: all('t0', 't1', 't2') };
    const got = assign('roundrobin', { t0: 1, t1: 2, t2: 3 }, subs);
    expect(short(got)).toEqual(sorted({ C0: ['t0p0'], C1: ['t1p0'], C2: ['t1p1', 't2p0', 't2p1', 't2p2'] }));
  });
});

describe('StickyAssignor (its javadoc examples)', () => {
  const four = { t0: 2, t1: 2, t2: 2, t3: 2 };
  const every = all('t0', 't1', 't2', 't3');

  it('example 1: starting fresh, sticky and round robin agree', () => {
    const want = sorted({ C0: ['t0p0', 't1p1', 't3p0'], C1: ['t0p1', 't2p0', 't3p1'], C2: ['t1p0', 't2p1'] });
    const subs = { C0: every, C1: every, C2: every };
    expect(short(assign('sticky', four, subs))).toEqual(want);
    expect(short(assign('roundrobin', four, subs))).toEqual(want);
  });

  it('example 1: C1 leaves — round robin reshuffles, sticky keeps every surviving assignment', () => {
    const before = { C0: ['t0p0', 't1p1', 't3p0'], C1: ['t0p1', 't2p0', 't3p1'], C2: ['t1p0', 't2p1'] };
    const subs = owning({ C0: every, C2: every }, before);
    expect(short(assign('roundrobin', four, subs))).toEqual(
      sorted({ C0: ['t0p0', 't1p0', 't2p0', 't3p0'], C2: ['t0p1', 't1p1', 't2p1', 't3p1'] }),
    );
    expect(short(assign('sticky', four, subs))).toEqual(
      sorted({ C0: ['t0p0', 't1p1', 't3p0', 't2p0'], C2: ['t1p0', 't2p1', 't0p1', 't3p1'] }),
    );
  });

  const sizes = { t0: 1, t1: 2, t2: 3 };
  const differing = { C0: all('t0'), C1: all('t0', 't1'), C2: all('t0', 't1', 't2') };

  it('example 2: differing subscriptions — sticky is more balanced than round robin', () => {
    expect(short(assign('sticky', sizes, differing))).toEqual(
      sorted({ C0: ['t0p0'], C1: ['t1p0', 't1p1'], C2: ['t2p0', 't2p1', 't2p2'] }),
    );
  });

  it('example 2: C0 leaves — round robin keeps 3 assignments, sticky all 5', () => {
    const rrBefore = { C0: ['t0p0'], C1: ['t1p0'], C2: ['t1p1', 't2p0', 't2p1', 't2p2'] };
    const { C0: _gone, ...rest } = differing;
    expect(short(assign('roundrobin', sizes, owning(rest, rrBefore)))).toEqual(
      sorted({ C1: ['t0p0', 't1p1'], C2: ['t1p0', 't2p0', 't2p1', 't2p2'] }),
    );
    const stickyBefore = { C0: ['t0p0'], C1: ['t1p0', 't1p1'], C2: ['t2p0', 't2p1', 't2p2'] };
    expect(short(assign('sticky', sizes, owning(rest, stickyBefore)))).toEqual(
      sorted({ C1: ['t1p0', 't1p1', 't0p0'], C2: ['t2p0', 't2p1', 't2p2'] }),
    );
  });
});

describe('assignors on any group (properties)', () => {
  const strategies: AssignorName[] = ['range', 'roundrobin', 'sticky'];
  const topicNames = ['t0', 't1', 't2'];

  /** A group: partition counts per topic, members with subscriptions and (maybe stale) held partitions. */
  const group = fc
    .record({
      counts: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
      members: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', '10', '2', 'C0'), {
        minLength: 1,
        maxLength: 5,
      }),
      subsSeed: fc.array(fc.subarray(topicNames), { minLength: 5, maxLength: 5 }),
      ownedSeed: fc.array(
        fc.array(fc.record({ topic: fc.constantFrom(...topicNames, 'gone'), partition: fc.nat(6) })),
        {
          minLength: 5,
          maxLength: 5,
        },
      ),
    })
    .map(({ counts, members, subsSeed, ownedSeed }) => {
      const partitionsPerTopic = { t0: counts[0], t1: counts[1], t2: counts[2] };
      const subscriptions: Record<string, Subscription> = {};
      members.forEach((m, i) => {
        subscriptions[m] = { topics: subsSeed[i]!, held: ownedSeed[i]! };
      });
      return { partitionsPerTopic, subscriptions };
    });

  it('every partition of a subscribed topic goes to exactly one member subscribed to it, and nothing else', () => {
    fc.assert(
      fc.property(
        group,
        fc.constantFrom(...strategies),
        ({ partitionsPerTopic, subscriptions }, strategy) => {
          const got = assign(strategy, partitionsPerTopic, subscriptions);
          expect(Object.keys(got).sort()).toEqual(Object.keys(subscriptions).sort());
          const owner = new Map<string, string>();
          for (const [member, tps] of Object.entries(got)) {
            for (const x of tps) {
              expect(owner.has(tpName(x)), `${tpName(x)} assigned twice`).toBe(false);
              owner.set(tpName(x), member);
              expect(subscriptions[member]!.topics).toContain(x.topic);
            }
          }
          const subscribed = new Set(Object.values(subscriptions).flatMap((s) => s.topics));
          const want = [...subscribed].flatMap((t) =>
            Array.from({ length: partitionsPerTopic[t as 't0'] }, (_, p) => `${t}-${p}`),
          );
          expect([...owner.keys()].sort()).toEqual(want.sort());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sticky is balanced: no member holds 2+ more than one that could take one of its partitions', () => {
    fc.assert(
      fc.property(group, ({ partitionsPerTopic, subscriptions }) => {
        const got = assign('sticky', partitionsPerTopic, subscriptions);
        for (const [a, tps] of Object.entries(got))
          for (const [b, other] of Object.entries(got))
            if (tps.length >= other.length + 2)
              expect(
                tps.some((x) => subscriptions[b]!.topics.includes(x.topic)),
                `${a} over ${b}`,
              ).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  /** Same-subscription groups: n members named m0.., partition count per topic. */
  const sameSubs = fc.record({
    counts: fc.tuple(fc.nat(6), fc.nat(6)),
    n: fc.integer({ min: 1, max: 5 }),
  });
  const build = (n: number, held?: Assignment, names = Array.from({ length: n }, (_, i) => `m${i}`)) => {
    const subs: Record<string, Subscription> = {};
    for (const m of names) subs[m] = { topics: ['t0', 't1'], held: held?.[m] ?? [] };
    return subs;
  };

  it('with equal subscriptions, round robin and sticky differ by at most one partition per member', () => {
    fc.assert(
      fc.property(
        sameSubs,
        fc.constantFrom<AssignorName>('roundrobin', 'sticky'),
        ({ counts, n }, strategy) => {
          const lengths = Object.values(assign(strategy, { t0: counts[0], t1: counts[1] }, build(n))).map(
            (l) => l.length,
          );
          expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('sticky: a member leaving moves only its partitions; a member joining takes only what it gets', () => {
    fc.assert(
      fc.property(sameSubs, fc.nat(4), ({ counts, n }, leaverSeed) => {
        const sizes = { t0: counts[0], t1: counts[1] };
        const before = assign('sticky', sizes, build(n));
        const names = Object.keys(before).sort();
        // Leave: every survivor keeps all it had.
        const leaver = names[leaverSeed % names.length]!;
        const survivors = names.filter((m) => m !== leaver);
        if (survivors.length > 0) {
          const after = assign('sticky', sizes, build(0, before, survivors));
          for (const m of survivors)
            expect(after[m]!.map(tpName)).toEqual(expect.arrayContaining(before[m]!.map(tpName)));
        }
        // Join: nobody gains but the newcomer, so no partition moves between old members.
        const joined = assign('sticky', sizes, build(0, before, [...names, 'new']));
        for (const m of names)
          for (const x of joined[m]!) expect(before[m]!.map(tpName)).toContain(tpName(x));
      }),
    );
  });

  it('range and round robin ignore what members held; an empty group gets an empty assignment', () => {
    const subs = { C0: all('t0'), C1: { topics: ['t0'], held: [tp('t0p0'), tp('t0p1')] } };
    expect(assign('range', { t0: 2 }, subs)).toEqual(
      assign('range', { t0: 2 }, { C0: all('t0'), C1: all('t0') }),
    );
    expect(short(assign('roundrobin', { t0: 2 }, subs))).toEqual({ C0: ['t0p0'], C1: ['t0p1'] });
    // Sticky keeps one of C1's two and hands the other to C0 (balance first).
    expect(short(assign('sticky', { t0: 2 }, subs))).toEqual({ C0: ['t0p1'], C1: ['t0p0'] });
    for (const s of strategies) expect(assign(s, { t0: 2 }, {})).toEqual({});
  });
});
