// bench-stream-node.mjs: the official openai npm client, for comparison with bench-stream
//
//   node bench-stream-node.mjs --url BASE_URL [--runs R] [--warmup W]
//                              [--expect-chunks N] [--expect-bytes B]
//
// The same as bench/bench-stream.c: streams one chat answer R times in a row
// through one OpenAI client (maxRetries 0) after W untimed warm-up runs
// (default 1), with `for await (const chunk of stream)`, counting the chunks
// whose choices[0].delta.content is not empty and summing the UTF-8 bytes of
// that text. Reports per run and for the best run the chunks per second, the
// content's megabytes (10^6 bytes) per second, the wall time and the CPU time
// of the process (process.cpuUsage(), user + system) during the run and how
// long the first delta took to come, in the
// same format, with the same "RESULT " lines. Exits with status 1 on an error
// or when a run does not get the expected chunks and bytes.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import { performance } from 'node:perf_hooks';

import OpenAI from 'openai';
import { VERSION as OPENAI_VERSION } from 'openai/version';

const MODEL = 'gpt-4o';
const PROMPT = 'Write a long answer';

function parseArgs(argv) {
  const opts = { url: null, runs: 3, warmup: 1, expectChunks: -1, expectBytes: -1 };
  const names = {
    '--url': 'url', '--runs': 'runs', '-r': 'runs', '--warmup': 'warmup', '-w': 'warmup',
    '--expect-chunks': 'expectChunks', '--expect-bytes': 'expectBytes',
  };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const key = names[arg];
    if (key === undefined) {
      console.error(`bench-stream-node: unknown option ${arg}`);
      process.exit(2);
    }
    if (value === undefined)
      value = argv[++i];
    opts[key] = key === 'url' ? value : Number.parseInt(value, 10);
  }
  if (!opts.url || !(opts.runs >= 1) || !(opts.warmup >= 0)) {
    console.error('bench-stream-node: need --url, a positive --runs and a --warmup of 0 or more');
    process.exit(2);
  }
  return opts;
}

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

// Streams the answer once; returns the counts and times, with ok false on a
// mismatch. Throws when the call fails.
async function streamOnce(client, opts) {
  let deltas = 0;
  let bytes = 0;
  let finishReason = null;
  let firstDelta = 0;

  const cpu0 = cpuSeconds();
  const t0 = performance.now();

  const stream = await client.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content: PROMPT }],
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    const content = choice?.delta?.content;
    if (content) {
      if (deltas === 0)
        firstDelta = performance.now();
      deltas++;
      bytes += Buffer.byteLength(content, 'utf8');
    }
    if (choice?.finish_reason)
      finishReason = choice.finish_reason;
  }

  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds() - cpu0;

  let ok = true;
  if (opts.expectChunks >= 0 && deltas !== opts.expectChunks) {
    console.error(`bench-stream-node: ${deltas} deltas, expected ${opts.expectChunks}`);
    ok = false;
  }
  if (opts.expectBytes >= 0 && bytes !== opts.expectBytes) {
    console.error(`bench-stream-node: ${bytes} bytes of content, expected ${opts.expectBytes}`);
    ok = false;
  }
  if (finishReason !== 'stop') {
    console.error(`bench-stream-node: finish reason ${finishReason}, expected stop`);
    ok = false;
  }
  const firstDeltaMs = deltas > 0 ? firstDelta - t0 : 0;
  return { deltas, bytes, seconds, cpu, firstDeltaMs, ok };
}

const pad = (s, n) => String(s).padStart(n);

// kind: "warmup", "run" or "best"
function printRun(kind, index, r) {
  const label = kind === 'warmup' ? `warm-up ${index}` : kind === 'run' ? `run ${index}` : `best (${index})`;
  const chunksPerS = r.deltas / r.seconds;
  const mbPerS = r.bytes / r.seconds / 1e6;
  const cpuPer100k = r.deltas > 0 ? r.cpu * 100000 / r.deltas : 0;

  console.log(`  ${label.padEnd(10)} ${pad(r.deltas, 8)} chunks ${pad(r.bytes, 9)} bytes  ` +
              `${pad(r.seconds.toFixed(3), 7)} s wall  ${pad(r.cpu.toFixed(3), 7)} s CPU  ` +
              `${pad(chunksPerS.toFixed(1), 10)} chunks/s  ${pad(mbPerS.toFixed(3), 6)} MB/s  ` +
              `${pad(cpuPer100k.toFixed(3), 6)} CPU s/100k  first after ${pad(r.firstDeltaMs.toFixed(1), 5)} ms  ` +
              `${r.ok ? 'ok' : 'MISMATCH'}`);
  console.log(`RESULT client=openai-node kind=${kind} index=${index} chunks=${r.deltas} bytes=${r.bytes} ` +
              `seconds=${r.seconds.toFixed(6)} cpu_seconds=${r.cpu.toFixed(6)} ` +
              `chunks_per_s=${chunksPerS.toFixed(1)} mb_per_s=${mbPerS.toFixed(4)} ` +
              `cpu_per_100k=${cpuPer100k.toFixed(4)} first_delta_ms=${r.firstDeltaMs.toFixed(1)} ok=${r.ok ? 1 : 0}`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const client = new OpenAI({ apiKey: 'sk-bench', baseURL: opts.url, maxRetries: 0 });

  console.log(`openai-node ${OPENAI_VERSION} (node ${process.version}) against ${opts.url}`);

  for (let i = 0; i < opts.warmup; i++) {
    const r = await streamOnce(client, opts);
    if (!r.ok) {
      console.error(`bench-stream-node: warm-up run ${i + 1} failed`);
      return 1;
    }
    printRun('warmup', i + 1, r);
  }

  const results = [];
  let best = 0;
  let ok = true;
  for (let i = 0; i < opts.runs; i++) {
    const r = await streamOnce(client, opts);
    results.push(r);
    ok &&= r.ok;
    printRun('run', i + 1, r);
    if (r.deltas / r.seconds > results[best].deltas / results[best].seconds)
      best = i;
  }
  printRun('best', best + 1, results[best]);
  return ok ? 0 : 1;
}

let code;
try {
  code = await main();
} catch (err) {
  console.error(`bench-stream-node: the stream failed: ${err?.message ?? String(err)}`);
  code = 1;
}
process.exit(code);
