// bench-tokenizer-node.mjs: the npm side of bench/run-tokenizer
//
//   node bench/bench-tokenizer-node.mjs --text FILE [--rounds R] [--encoding E]
//
// Encodes the text in FILE (written by bench-tokenizer --write-text) as one
// string with the o200k_base encoding (or E) of:
//  - tiktoken: OpenAI's Rust tokenizer built to WebAssembly (encode_ordinary),
//  - gpt-tokenizer: a tokenizer in plain JavaScript (encode),
// each after one untimed round (the JIT's warm-up), then R timed rounds
// (default 5). Reports the megabytes (10^6 bytes of UTF-8) per second of the
// best round and the median, the token count, and how long loading the
// encoding took. Ends with one "RESULT " line per tokenizer.
//
// The packages are resolved from bench/node_modules (npm install in bench/).
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const textPath = option("--text", null);
const rounds = Math.max(1, Number(option("--rounds", "5")));
const encodingName = option("--encoding", "o200k_base");
if (!textPath) {
  console.error("usage: bench-tokenizer-node.mjs --text FILE [--rounds R] [--encoding E]");
  process.exit(2);
}

const buffer = readFileSync(textPath);
const text = buffer.toString("utf8");
const bytes = buffer.length;

function measure(name, encode) {
  const seconds = [];
  let tokens = encode(text).length;     // warm-up
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    tokens = encode(text).length;
    seconds.push((performance.now() - start) / 1000);
    console.log(`${name} round ${r + 1}: ${(seconds[r] * 1000).toFixed(1)} ms, ` +
                `${(bytes / 1e6 / seconds[r]).toFixed(2)} MB/s, ${tokens} tokens`);
  }
  seconds.sort((a, b) => a - b);
  return { tokens, best: bytes / 1e6 / seconds[0], median: bytes / 1e6 / seconds[Math.floor(rounds / 2)] };
}

function report(name, version, loadMs, result) {
  console.log(`RESULT impl=${name} version=${version} encoding=${encodingName} bytes=${bytes} ` +
              `tokens=${result.tokens} best_mbps=${result.best.toFixed(2)} ` +
              `median_mbps=${result.median.toFixed(2)} load_ms=${loadMs.toFixed(1)}`);
}

const versionOf = (name) =>
  JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), "utf8")).version;

// tiktoken (WASM)
{
  let start = performance.now();
  const { get_encoding } = await import("tiktoken");
  const encoding = get_encoding(encodingName);
  const loadMs = performance.now() - start;
  const result = measure("tiktoken", (t) => encoding.encode_ordinary(t));
  encoding.free();
  report("tiktoken", versionOf("tiktoken"), loadMs, result);
}

// gpt-tokenizer (JavaScript)
{
  const start = performance.now();
  const { encode } = await import(`gpt-tokenizer/encoding/${encodingName}`);
  const loadMs = performance.now() - start;
  const result = measure("gpt-tokenizer", (t) => encode(t));
  report("gpt-tokenizer", versionOf("gpt-tokenizer"), loadMs, result);
}
