// Issue 16 item 2: a frame-level fuzz of the API socket over raw TCP. Every broken frame closes
// its own socket with the code RFC 6455 gives it; the server stays up and other sockets keep
// working. And the message cap fits what the UI can send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { MAX_FILE_BYTES } from '../../src/shared/files/format';
import {
  ask,
  closePayload,
  frame,
  openSocket,
  rawUpgrade,
  type ServerProcess,
  startServerProcess,
} from './helpers';

let server: ServerProcess;
let bystander: WebSocket;
let calls = 0;

beforeAll(async () => {
  server = await startServerProcess();
  bystander = await openSocket(server);
});
afterAll(async () => {
  bystander.close();
  await server.stop();
});

/** The bystander socket still gets answers, and the server process is alive. */
async function othersStillServed(): Promise<void> {
  expect(server.exited(), server.stderr()).toBe(false);
  const id = ++calls;
  expect(await ask(bystander, id, 'app.echo', { text: `still here ${id}` })).toEqual({
    id,
    ok: true,
    value: { text: `still here ${id}` },
  });
}

const text = (s: string | Buffer) => frame({ opcode: 1, payload: Buffer.isBuffer(s) ? s : Buffer.from(s) });
const echo = (id: number) => text(JSON.stringify({ id, method: 'app.echo', payload: { text: 'x' } }));

const CASES: { name: string; bytes: () => Buffer; code: number }[] = [
  {
    name: 'invalid UTF-8 in a text frame',
    bytes: () => text(Buffer.from([0x7b, 0xc3, 0x28, 0x7d])),
    code: 1007,
  },
  {
    name: 'an unmasked client frame',
    bytes: () => frame({ opcode: 1, payload: Buffer.from('{}'), masked: false }),
    code: 1002,
  },
  {
    name: 'RSV1 without an agreed extension',
    bytes: () => frame({ opcode: 1, rsv: 4, payload: Buffer.from('{}') }),
    code: 1002,
  },
  {
    name: 'RSV2 and RSV3',
    bytes: () => frame({ opcode: 1, rsv: 3, payload: Buffer.from('{}') }),
    code: 1002,
  },
  {
    name: 'a reserved data opcode (3)',
    bytes: () => frame({ opcode: 3, payload: Buffer.from('x') }),
    code: 1002,
  },
  { name: 'a reserved control opcode (11)', bytes: () => frame({ opcode: 11 }), code: 1002 },
  { name: 'a length of 2^62', bytes: () => frame({ opcode: 1, announce: 2n ** 62n }), code: 1009 },
  {
    // RFC 6455 wants the top bit clear; ws refuses any length over 2^53 - 1 as too big.
    name: 'a length of 2^63 (the top bit set)',
    bytes: () => frame({ opcode: 1, announce: 2n ** 63n }),
    code: 1009,
  },
  {
    name: 'a message one byte over the cap',
    bytes: () => frame({ opcode: 1, announce: BigInt(2 * MAX_FILE_BYTES + 1024 * 1024 + 1) }),
    code: 1009,
  },
  { name: 'close code 999', bytes: () => frame({ opcode: 8, payload: closePayload(999) }), code: 1002 },
  {
    name: 'close code 1005 (never sent on the wire)',
    bytes: () => frame({ opcode: 8, payload: closePayload(1005) }),
    code: 1002,
  },
  {
    name: 'a close frame of one byte',
    bytes: () => frame({ opcode: 8, payload: Buffer.from([3]) }),
    code: 1002,
  },
  {
    name: 'a close reason that is not UTF-8',
    bytes: () => frame({ opcode: 8, payload: Buffer.concat([closePayload(1000), Buffer.from([0xff])]) }),
    code: 1007,
  },
  {
    name: 'a fragmented ping',
    bytes: () => frame({ opcode: 9, fin: false, payload: Buffer.from('p') }),
    code: 1002,
  },
  {
    name: 'a ping of 126 bytes',
    bytes: () => frame({ opcode: 9, payload: Buffer.alloc(126, 1) }),
    code: 1002,
  },
  {
    name: 'a continuation with nothing to continue',
    bytes: () => frame({ opcode: 0, payload: Buffer.from('x') }),
    code: 1002,
  },
  {
    name: 'a new text frame in the middle of a fragmented one',
    bytes: () =>
      Buffer.concat([
        frame({ opcode: 1, fin: false, payload: Buffer.from('{"id":') }),
        frame({ opcode: 1, payload: Buffer.from('1}') }),
      ]),
    code: 1002,
  },
];

describe('broken frames close their own socket with the right code', () => {
  for (const c of CASES) {
    it(`${c.name}: closed with ${c.code}, others still served`, async () => {
      const raw = await rawUpgrade(server);
      raw.socket.write(c.bytes());
      expect((await raw.closed).code).toBe(c.code);
      raw.socket.destroy();
      await othersStillServed();
    });
  }

  it('many broken sockets at once leave the server serving', async () => {
    const raws = await Promise.all(CASES.map(() => rawUpgrade(server)));
    for (const [i, r] of raws.entries()) r.socket.write(CASES[i]!.bytes());
    const codes = await Promise.all(raws.map((r) => r.closed.then((c) => c.code)));
    expect(codes).toEqual(CASES.map((c) => c.code));
    for (const r of raws) r.socket.destroy();
    await othersStillServed();
  });
});

describe('frames that are odd but legal keep the socket', () => {
  it('a ping is answered, a fragmented call is put together, a binary frame is refused by message', async () => {
    const ws = await openSocket(server);
    const frames: unknown[] = [];
    ws.on('message', (d, isBinary) => frames.push(isBinary ? 'binary' : JSON.parse(d.toString())));
    ws.send(Buffer.from('{"id":1}'), { binary: true });
    ws.send('{"id":2,"method":"app.ec', { fin: false });
    ws.send('ho","payload":{"text":"joined"}}', { fin: true });
    expect(await ask(ws, 3, 'app.echo', { text: 'after' })).toMatchObject({ ok: true });
    expect(frames).toContainEqual(
      expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'bad-request' }) }),
    );
    expect(frames).toContainEqual({ id: 2, ok: true, value: { text: 'joined' } });
    ws.close();
  });

  it('JSON that is not a call gets an error reply, and the socket goes on', async () => {
    const ws = await openSocket(server);
    for (const bad of [
      'null',
      '[]',
      '"x"',
      '{"id":"1"}',
      '{"id":1e400}',
      '{"id":1,"method":"__proto__"}',
      '[['.repeat(100_000),
    ]) {
      const reply = await new Promise<{ ok: boolean }>((resolve) => {
        ws.once('message', (d) => resolve(JSON.parse(d.toString())));
        ws.send(bad);
      });
      expect(reply.ok, bad.slice(0, 40)).toBe(false);
    }
    expect(await ask(ws, 9, 'app.echo', { text: 'ok' })).toMatchObject({ ok: true });
    ws.close();
  });
});

describe('a seeded fuzz of random frames', () => {
  // xorshift32: the same frames on every run.
  let s = 0x2545f491;
  const rnd = (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };

  it('each random frame is either taken or closes its socket with a protocol code', async () => {
    // Codes a close frame may carry (RFC 6455 §7.4): a valid code the fuzz sent is echoed back.
    const valid = (c: number) =>
      (c >= 1000 && c <= 1014 && ![1004, 1005, 1006].includes(c)) || (c >= 3000 && c <= 4999);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 120; i++) {
      const payload = Buffer.alloc(rnd(4) === 0 ? 126 + rnd(300) : rnd(40));
      for (let j = 0; j < payload.length; j++) payload[j] = rnd(4) === 0 ? rnd(256) : 32 + rnd(95);
      const f = frame({
        opcode: rnd(16),
        fin: rnd(5) !== 0,
        rsv: rnd(6) === 0 ? rnd(8) : 0,
        masked: rnd(10) !== 0,
        payload,
      });
      const raw = await rawUpgrade(server);
      // The random frame, then a good call: the call is answered unless the frame closed us.
      raw.socket.write(Buffer.concat([f, echo(77)]));
      const outcome = await Promise.race([
        raw.closed.then((c) => (c.frame ? `closed ${c.code ?? 'without a code'}` : 'dropped')),
        raw.text((t) => t.includes('"id":77')).then(() => 'answered'),
      ]);
      // A close frame without a code answers one without a code (a client's 1005).
      if (outcome.startsWith('closed 1') || outcome.startsWith('closed 3') || outcome.startsWith('closed 4'))
        expect(valid(Number(outcome.slice(7))), outcome).toBe(true);
      else expect(['answered', 'closed without a code']).toContain(outcome);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      raw.socket.destroy();
    }
    // The fuzz reached both sides: frames taken and frames refused.
    expect(outcomes.get('answered') ?? 0).toBeGreaterThan(0);
    expect([...outcomes.keys()].some((k) => k.startsWith('closed'))).toBe(true);
    await othersStillServed();
  });
});

describe('the message cap fits what the UI can send', () => {
  it('a 20 MiB file of JSON escapes (about 40 MiB as a message) is answered, not cut off', async () => {
    const ws = await openSocket(server);
    // A valid JSON document of 20 MiB whose body is one string of escaped quotes: each `\"`
    // of the file becomes `\\\"` in the message, so the message is twice the file.
    const body = '\\"'.repeat((MAX_FILE_BYTES - 64) / 2);
    const text = `{"format":"x","s":"${body}"}`;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_FILE_BYTES);
    const reply = await ask(ws, 1, 'library.import', { text });
    expect(reply.id).toBe(1);
    expect(reply.ok).toBe(false); // not a DSLab file, and it says so
    expect(reply.error?.code).toBe('bad-request');
    await othersStillServed();
    ws.close();
  });
});
