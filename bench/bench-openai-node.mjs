// bench-openai-node.mjs: the official openai npm client, for comparison with bench-chat
//
//   node bench-openai-node.mjs --url BASE_URL --requests N --concurrency C [--warmup W]
//   node bench-openai-node.mjs --url SLOW_BASE_URL --memory-inflight K [--warmup-url FAST_BASE_URL]
//
// The same two modes as bench/bench-chat.c: throughput through one client
// with a pool of C async loops, and the growth of the resident set size per
// call held in flight once they are all sent (cancelled afterwards with an
// AbortController). Ends with one machine-readable "RESULT " line.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import { setMaxListeners } from 'node:events';
import { readdirSync, readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import OpenAI from 'openai';
import { VERSION as OPENAI_VERSION } from 'openai/version';

const MODEL = 'gpt-4o-mini';
const PROMPT = 'Say hello';

function parseArgs(argv) {
  const opts = {
    url: null, requests: 1000, concurrency: 1, warmup: -1,
    memoryInflight: 0, warmupUrl: null, settleMs: 1000, settleMaxMs: 3500,
  };
  const names = {
    '--url': 'url', '--requests': 'requests', '-n': 'requests',
    '--concurrency': 'concurrency', '-c': 'concurrency', '--warmup': 'warmup', '-w': 'warmup',
    '--memory-inflight': 'memoryInflight', '-m': 'memoryInflight',
    '--warmup-url': 'warmupUrl', '--settle-ms': 'settleMs', '--settle-max-ms': 'settleMaxMs',
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
      console.error(`bench-openai-node: unknown option ${arg}`);
      process.exit(2);
    }
    if (value === undefined)
      value = argv[++i];
    opts[key] = (key === 'url' || key === 'warmupUrl') ? value : Number.parseInt(value, 10);
  }
  if (!opts.url || !(opts.requests >= 1) || !(opts.concurrency >= 1) || !(opts.memoryInflight >= 0)) {
    console.error('bench-openai-node: need --url, and positive --requests and --concurrency');
    process.exit(2);
  }
  if (opts.warmup < 0)
    opts.warmup = Math.min(Math.floor(opts.requests / 10), 1000);
  return opts;
}

function makeClient(baseURL) {
  return new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0 });
}

let reportedFailures = 0;
function reportFailure(message) {
  if (reportedFailures++ < 5)
    console.error(`bench-openai-node: call failed: ${message}`);
}

// A worker pool: C async loops that each take the next call until N are done.
async function runBatch(client, total, concurrency) {
  let started = 0;
  let failures = 0;

  async function worker() {
    while (started < total) {
      started++;
      try {
        const completion = await client.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: PROMPT }],
        });
        if (typeof completion.choices?.[0]?.message?.content !== 'string') {
          failures++;
          reportFailure('answer without content');
        }
      } catch (err) {
        failures++;
        reportFailure(err?.message ?? String(err));
      }
    }
  }

  const workers = [];
  for (let i = 0; i < Math.min(concurrency, total); i++)
    workers.push(worker());
  await Promise.all(workers);
  return failures;
}

async function runThroughput(opts) {
  const client = makeClient(opts.url);

  if (opts.warmup > 0) {
    const warmupFailures = await runBatch(client, opts.warmup, opts.concurrency);
    if (warmupFailures > 0) {
      console.error(`bench-openai-node: ${warmupFailures} of ${opts.warmup} warm-up calls failed`);
      return 1;
    }
  }

  const t0 = performance.now();
  const failures = await runBatch(client, opts.requests, opts.concurrency);
  const seconds = (performance.now() - t0) / 1000;
  const rps = opts.requests / seconds;

  console.log(`openai-node ${OPENAI_VERSION} (node ${process.version}) against ${opts.url}`);
  console.log(`  concurrency      ${opts.concurrency}`);
  console.log(`  requests         ${opts.requests} (after ${opts.warmup} warm-up)`);
  console.log(`  total time       ${seconds.toFixed(3)} s`);
  console.log(`  requests/second  ${rps.toFixed(1)}`);
  console.log(`  failures         ${failures}`);
  console.log(`RESULT client=openai-node mode=throughput concurrency=${opts.concurrency} ` +
              `requests=${opts.requests} seconds=${seconds.toFixed(6)} rps=${rps.toFixed(1)} failures=${failures}`);
  return failures === 0 ? 0 : 1;
}

const rssKiB = () => Math.round(process.memoryUsage().rss / 1024);

// Open sockets: the connections the client holds.
function countSockets() {
  let n = 0;
  try {
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:'))
          n++;
      } catch { /* closed meanwhile */ }
    }
  } catch {
    return -1;
  }
  return n;
}

async function runMemory(opts) {
  const K = opts.memoryInflight;

  // Pay for lazy initialisation (modules, JIT, undici) before the baseline.
  if (opts.warmupUrl) {
    const warm = makeClient(opts.warmupUrl);
    const failures = await runBatch(warm, Math.max(opts.warmup, 1), 8);
    if (failures > 0) {
      console.error(`bench-openai-node: ${failures} warm-up calls failed`);
      return 1;
    }
  }

  const client = makeClient(opts.url);
  // One signal for all calls, like the one GCancellable of bench-chat.
  const controller = new AbortController();
  setMaxListeners(K + 10, controller.signal);
  let cancelled = 0;
  let other = 0;

  if (typeof globalThis.gc === 'function')
    globalThis.gc();
  const before = rssKiB();

  const calls = [];
  for (let i = 0; i < K; i++) {
    calls.push(client.chat.completions.create(
      { model: MODEL, messages: [{ role: 'user', content: PROMPT }] },
      { signal: controller.signal },
    ).then(() => { other++; },
           (err) => {
             if (err instanceof OpenAI.APIUserAbortError || err?.name === 'AbortError')
               cancelled++;
             else {
               other++;
               reportFailure(err?.message ?? String(err));
             }
           }));
  }

  // Let them all go out; the server holds its answers for longer than this.
  // At least settleMs, then until the open sockets are stable for 500 ms.
  const start = performance.now();
  let lastChange = start;
  let last = countSockets();
  for (;;) {
    await sleep(100);
    const now = performance.now();
    const n = countSockets();
    if (n !== last) {
      last = n;
      lastChange = now;
    }
    if (now - start >= Math.max(opts.settleMs, opts.settleMaxMs))
      break;
    if (now - start >= opts.settleMs && now - lastChange >= 500)
      break;
  }
  const waitedMs = Math.round(performance.now() - start);
  const during = rssKiB();
  const sockets = countSockets();

  controller.abort();
  await Promise.all(calls);

  const perRequest = (during - before) / K;
  console.log(`openai-node ${OPENAI_VERSION} (node ${process.version}) against ${opts.url}`);
  console.log(`  in flight                  ${K} (cancelled ${cancelled}, other outcomes ${other})`);
  console.log(`  open sockets in flight     ${sockets} (measured after ${waitedMs} ms)`);
  console.log(`  RSS before                 ${before} KiB`);
  console.log(`  RSS in flight              ${during} KiB`);
  console.log(`  per in-flight request      ${perRequest.toFixed(2)} KiB`);
  console.log(`RESULT client=openai-node mode=memory inflight=${K} rss_before_kib=${before} ` +
              `rss_inflight_kib=${during} kib_per_request=${perRequest.toFixed(2)} sockets=${sockets} settle_ms=${waitedMs} failures=${other}`);
  return cancelled === K ? 0 : 1;
}

const opts = parseArgs(process.argv.slice(2));
const code = opts.memoryInflight > 0 ? await runMemory(opts) : await runThroughput(opts);
// Idle keep-alive sockets must not keep the process alive.
process.exit(code);
