// Tests the OpenAI-compatible generator against a small chat-completions server written here with node:http.
// It stands in for Ollama/vLLM/llama.cpp server, none of which can run in this environment: it records and
// checks our request bodies, and streams its answer back as server-sent events the way those servers do
// (including events split across network writes, CRLF line ends, comments and a final usage event).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAiCompatibleGenerator } from '../../../src/engines/text/openai.js';
import { collect } from './collect.js';

interface Seen {
  headers: http.IncomingHttpHeaders;
  url: string;
  body: any;
  closedEarly: boolean;
}

/** The words the server answers with: the last user message, reversed word by word (so it depends on us). */
function answerWords(body: any): string[] {
  const last = [...body.messages].reverse().find((m: any) => m.role === 'user');
  const text = typeof last.content === 'string' ? last.content : (last.content.find((p: any) => p.type === 'text')?.text ?? '');
  return text.split(' ').reverse();
}

describe('OpenAI-compatible generator (local stand-in server)', () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: Seen[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (d) => (raw += d));
      req.on('end', () => {
        const record: Seen = { headers: req.headers, url: req.url ?? '', body: JSON.parse(raw), closedEarly: false };
        seen.push(record);
        res.on('close', () => (record.closedEarly = !res.writableFinished));
        const body = record.body;
        if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
          return;
        }
        if (body.model === 'missing-model') {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ error: { message: `model "${body.model}" not found, try pulling it first`, type: 'invalid_request_error' } }),
          );
          return;
        }
        if (body.model === 'plain-json') {
          // a server that ignores stream: true
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              choices: [{ message: { role: 'assistant', content: answerWords(body).join(' ') }, finish_reason: 'stop' }],
              usage: { completion_tokens: 4 },
            }),
          );
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        const send = (obj: unknown, eol = '\n') => res.write(`data: ${JSON.stringify(obj)}${eol}${eol}`);
        if (body.model === 'broken') {
          send({ choices: [{ index: 0, delta: { content: 'partial' } }] });
          send({ error: { message: 'the model ran out of memory' } });
          res.end();
          return;
        }
        const words = answerWords(body);
        const limit = body.max_tokens ?? Infinity;
        const out = words.slice(0, limit);
        const finish = words.length > limit ? 'length' : 'stop';
        if (body.model === 'slow') {
          let i = 0;
          const timer = setInterval(() => {
            if (res.destroyed) return clearInterval(timer);
            send({ choices: [{ index: 0, delta: { content: `w${i++} ` } }] });
          }, 20);
          res.on('close', () => clearInterval(timer));
          return;
        }
        res.write(': keep-alive comment\n\n');
        send({ choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] });
        out.forEach((w, i) => {
          const event = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: (i ? ' ' : '') + w } }] })}\r\n\r\n`;
          // split every event across two writes, in the middle of its JSON
          const cut = Math.floor(event.length / 2);
          res.write(event.slice(0, cut));
          res.write(event.slice(cut));
        });
        send({ choices: [{ index: 0, delta: {}, finish_reason: finish }] });
        if (body.model !== 'no-usage')
          send({ choices: [], usage: { prompt_tokens: 11, completion_tokens: out.length * 2, total_tokens: 11 + out.length * 2 } });
        res.end('data: [DONE]\n\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('streams the answer, maps the request fields and reads usage', async () => {
    const gen = createOpenAiCompatibleGenerator({ baseUrl, model: 'qwen', apiKey: 'sk-test' });
    assert.equal(gen.name, 'openai:qwen');
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
    const { chunks, text, result } = await collect(gen, {
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'one two three' },
      ],
      maxOutputTokens: 10,
      stopSequences: ['\n\n'],
      temperature: 0.3,
      topP: 0.9,
      topK: 40,
      seed: 42,
      jsonSchema: schema,
    });
    assert.deepEqual(chunks, ['three', ' two', ' one']);
    assert.equal(text, 'three two one');
    assert.deepEqual(result, { finishReason: 'STOP', outputTokens: 6 });
    const req = seen.at(-1)!;
    assert.equal(req.url, '/v1/chat/completions');
    assert.equal(req.headers.authorization, 'Bearer sk-test');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.deepEqual(req.body, {
      model: 'qwen',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'one two three' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 10,
      stop: ['\n\n'],
      temperature: 0.3,
      top_p: 0.9,
      top_k: 40,
      seed: 42,
      response_format: { type: 'json_schema', json_schema: { name: 'response', schema, strict: true } },
    });
  });

  test('finish_reason length becomes MAX_TOKENS; without usage the deltas are counted', async () => {
    const gen = createOpenAiCompatibleGenerator({ baseUrl, model: 'no-usage' });
    const { text, result } = await collect(gen, { messages: [{ role: 'user', content: 'a b c d e f' }], maxOutputTokens: 3 });
    assert.equal(text, 'f e d');
    assert.deepEqual(result, { finishReason: 'MAX_TOKENS', outputTokens: 3 });
    assert.equal(seen.at(-1)!.headers.authorization, undefined);
    assert.equal(seen.at(-1)!.body.max_tokens, 3);
    assert.equal('temperature' in seen.at(-1)!.body, false, 'unset options are not sent');
  });

  test('audio goes out as input_audio parts only when sendAudio is on', async () => {
    const wav = Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt fake-bytes-\u00ff', 'latin1');
    const messages = [
      { role: 'system' as const, content: 'listen' },
      {
        role: 'user' as const,
        content: 'what is this',
        audio: [
          { data: wav, format: 'wav' as const },
          { data: Buffer.from([1, 2, 3]), format: 'mp3' as const },
        ],
      },
    ];
    await collect(createOpenAiCompatibleGenerator({ baseUrl, model: 'omni', sendAudio: true }), { messages });
    assert.deepEqual(seen.at(-1)!.body.messages, [
      { role: 'system', content: 'listen' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this' },
          { type: 'input_audio', input_audio: { data: wav.toString('base64'), format: 'wav' } },
          { type: 'input_audio', input_audio: { data: 'AQID', format: 'mp3' } },
        ],
      },
    ]);
    assert.deepEqual(Buffer.from(seen.at(-1)!.body.messages[1].content[1].input_audio.data, 'base64'), wav);
    const { text } = await collect(createOpenAiCompatibleGenerator({ baseUrl, model: 'text-only' }), { messages });
    assert.equal(text, 'this is what');
    assert.deepEqual(seen.at(-1)!.body.messages[1], { role: 'user', content: 'what is this' });
  });

  test('a server that ignores stream:true still works', async () => {
    const { chunks, result } = await collect(createOpenAiCompatibleGenerator({ baseUrl, model: 'plain-json' }), {
      messages: [{ role: 'user', content: 'x y' }],
    });
    assert.deepEqual(chunks, ['y x']);
    assert.deepEqual(result, { finishReason: 'STOP', outputTokens: 4 });
  });

  test('non-2xx answers become errors carrying the server message', async () => {
    const gen = createOpenAiCompatibleGenerator({ baseUrl, model: 'missing-model' });
    await assert.rejects(collect(gen, { messages: [{ role: 'user', content: 'hi' }] }), (err: Error) => {
      assert.match(err.message, /answered 400/);
      assert.match(err.message, /model "missing-model" not found, try pulling it first/);
      return true;
    });
    const wrongPath = createOpenAiCompatibleGenerator({ baseUrl: baseUrl.replace('/v1/', '/api'), model: 'qwen' });
    await assert.rejects(
      collect(wrongPath, { messages: [{ role: 'user', content: 'hi' }] }),
      /answered 404.*no route \/api\/chat\/completions.*base URL/s,
    );
  });

  test('an error event inside the stream is raised', async () => {
    const gen = createOpenAiCompatibleGenerator({ baseUrl, model: 'broken' });
    const chunks: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const c of gen.generate({ messages: [{ role: 'user', content: 'hi' }] })) chunks.push(c.text);
      })(),
      /reported an error: the model ran out of memory/,
    );
    assert.deepEqual(chunks, ['partial']);
  });

  test('an unreachable server gives a clear error', async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve)); // nothing listens there now
    const gen = createOpenAiCompatibleGenerator({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'qwen' });
    await assert.rejects(
      collect(gen, { messages: [{ role: 'user', content: 'hi' }] }),
      /cannot reach the OpenAI-compatible server .*ECONNREFUSED.*is it running/,
    );
  });

  test('abort and early stop close the connection', async () => {
    const gen = createOpenAiCompatibleGenerator({ baseUrl, model: 'slow' });
    const controller = new AbortController();
    const it = gen.generate({ messages: [{ role: 'user', content: 'go' }], signal: controller.signal });
    assert.equal((await it.next()).done, false);
    controller.abort(new Error('client went away'));
    await assert.rejects(it.next(), /client went away/);
    const aborted = seen.at(-1)!;

    for await (const chunk of gen.generate({ messages: [{ role: 'user', content: 'go' }] })) {
      assert.match(chunk.text, /^w0 $/);
      break;
    }
    const stopped = seen.at(-1)!;
    assert.notEqual(stopped, aborted);
    for (let i = 0; i < 50 && !(aborted.closedEarly && stopped.closedEarly); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(aborted.closedEarly, 'aborted request left its connection open');
    assert.ok(stopped.closedEarly, 'early-stopped request left its connection open');
  });
});
