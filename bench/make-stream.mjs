// make-stream.mjs: a realistic OpenAI chat-completion event stream, for bench/run-streaming
//
//   node make-stream.mjs --chunks N --out FILE.sse [--seed S]
//
// Writes what api.openai.com sends for a streamed chat completion with
// stream_options.include_usage: a first chunk with the role, N chunks of
// content (a word or two each, now and then with non-ASCII text, an emoji, a
// quote or a line break), a chunk with the finish reason, the usage chunk and
// "data: [DONE]". Every event is "data: JSON" and a blank line.
//
// Prints one line, "STREAM chunks=N content_bytes=B file_bytes=F": the
// content chunks, the UTF-8 bytes of their text (what a client must receive
// in total) and the size of the file.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import { openSync, writeSync, closeSync } from 'node:fs';

function parseArgs(argv) {
  const opts = { chunks: 100000, out: null, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--chunks')
      opts.chunks = Number.parseInt(argv[++i], 10);
    else if (arg === '--out')
      opts.out = argv[++i];
    else if (arg === '--seed')
      opts.seed = Number.parseInt(argv[++i], 10);
    else {
      console.error(`make-stream: unknown option ${arg}`);
      process.exit(2);
    }
  }
  if (!opts.out || !(opts.chunks >= 1)) {
    console.error('make-stream: need --out and a positive --chunks');
    process.exit(2);
  }
  return opts;
}

// mulberry32: the same stream for the same seed, on every machine.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Tokens as a model streams them: mostly a leading space and a word.
const WORDS = [
  ' the', ' of', ' and', ' to', ' a', ' in', ' is', ' that', ' for', ' it', ' as', ' with',
  ' on', ' be', ' this', ' are', ' by', ' can', ' you', ' or', ' an', ' from', ' which',
  ' function', ' request', ' stream', ' server', ' client', ' answer', ' token', ' model',
  ' buffer', ' memory', ' library', ' example', ' because', ' however', ' therefore',
  ' performance', ' connection', ' response', ' JSON', ' HTTP', ' GLib', ' GObject',
  ' signal', ' handler', ' callback', ' event', ' parser', ' latency', ' throughput',
  ' We', ' It', ' The', ' This', ' In', ' For', ' If', ' When',
  ',', '.', ':', ';', ' (', ')', ' -', '’s', 'ing', 'ed', 'ly', 's',
  ' 1', ' 2', ' 42', ' 2024', ' 3.14',
];
const SPECIAL = [
  ' café', ' naïve', ' résumé', ' déjà', ' vu', 'é', ' Zürich', ' façade', ' São', ' Paulo',
  ' über', ' “quoted”', ' —', '…', ' €', ' 10 €', ' 東京', ' привет', ' ½',
  ' 🚀', ' 😊', ' ✨', '👍', ' 🎉',
  ' "x"', ' \\n', ' C:\\\\path', '\t',
];
const BREAKS = ['.\n\n', '\n\n', '\n', ':\n\n- ', '\n- ', '\n\n```c\n', '\n```\n\n'];

function nextContent(rand) {
  const r = rand();
  if (r < 0.02)
    return BREAKS[Math.floor(rand() * BREAKS.length)];
  const pick = () => (rand() < 0.05 ? SPECIAL[Math.floor(rand() * SPECIAL.length)]
                                    : WORDS[Math.floor(rand() * WORDS.length)]);
  // A word, or two of them now and then.
  return rand() < 0.75 ? pick() : pick() + pick();
}

const opts = parseArgs(process.argv.slice(2));
const rand = prng(opts.seed);

const HEAD = '{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1727000000,' +
             '"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_bench","choices":';
const fd = openSync(opts.out, 'w');
let pending = [];
let pendingBytes = 0;
let fileBytes = 0;

function emit(json) {
  const event = `data: ${json}\n\n`;
  pending.push(event);
  pendingBytes += event.length;
  if (pendingBytes > 1 << 20)
    flush();
}

function flush() {
  const buf = Buffer.from(pending.join(''), 'utf8');
  writeSync(fd, buf);
  fileBytes += buf.length;
  pending = [];
  pendingBytes = 0;
}

emit(HEAD + '[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},' +
     '"logprobs":null,"finish_reason":null}]}');

let contentBytes = 0;
for (let i = 0; i < opts.chunks; i++) {
  const content = nextContent(rand);
  contentBytes += Buffer.byteLength(content, 'utf8');
  // JSON.stringify escapes quotes, backslashes and control characters and
  // leaves the rest as raw UTF-8, as the API does.
  emit(HEAD + `[{"index":0,"delta":{"content":${JSON.stringify(content)}},` +
       '"logprobs":null,"finish_reason":null}]}');
}

emit(HEAD + '[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}');
emit(HEAD + '[],"usage":{"prompt_tokens":24,"completion_tokens":' + opts.chunks +
     ',"total_tokens":' + (opts.chunks + 24) +
     ',"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},' +
     '"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,' +
     '"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}');
pending.push('data: [DONE]\n\n');
flush();
closeSync(fd);

console.log(`STREAM chunks=${opts.chunks} content_bytes=${contentBytes} file_bytes=${fileBytes}`);
