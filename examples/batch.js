#!/usr/bin/env -S gjs -m
// batch.js: many prompts from a file through a rate limiter, with a progress
// bar and a cost summary
//
//   OPENAI_API_KEY=sk-… ./batch.js prompts.txt [REQUESTS_PER_MINUTE] [TOKENS_PER_MINUTE]

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Oai from 'gi://Oai?version=1';
import System from 'system';

Gio._promisify(Oai.Client.prototype, 'chat_async', 'chat_finish');

if (ARGV.length < 1) {
    printerr('usage: batch.js PROMPTS [RPM] [TPM]');
    System.exit(2);
}

const [, contents] = GLib.file_get_contents(ARGV[0]);
const prompts = new TextDecoder().decode(contents).split('\n').map(l => l.trim()).filter(l => l);

const client = Oai.Client.new_from_environment();
const limiter = Oai.RateLimiter.new(Number(ARGV[1] ?? 500), Number(ARGV[2] ?? 200000));
limiter.max_concurrent = 4;
client.rate_limiter = limiter;

const stderr = new Gio.DataOutputStream({
    base_stream: new Gio.UnixOutputStream({fd: 2, close_fd: false}),
});
const answers = new Array(prompts.length).fill(null);
let done = 0, failures = 0;

function progress() {
    const width = 30, filled = Math.floor(width * done / prompts.length);
    stderr.put_string(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${prompts.length}, ${limiter.queued} waiting`, null);
}

const loop = new GLib.MainLoop(null, false);
prompts.forEach((prompt, i) => {
    const request = Oai.ChatRequest.new('gpt-4o-mini');
    request.add_message(Oai.Role.USER, prompt);
    client.chat_async(request, null).then(response => {
        answers[i] = response.get_content() ?? '';
    }).catch(error => {
        answers[i] = `(failed: ${error.message})`;
        failures++;
    }).finally(() => {
        done++;
        progress();
        if (done === prompts.length)
            loop.quit();
    });
});
if (prompts.length > 0) {
    progress();
    loop.run();
}
stderr.put_string('\n', null);

answers.forEach((answer, i) => print(`${i + 1}: ${answer}`));
const tracker = client.cost_tracker;
printerr(`${prompts.length} prompts, ${failures} failed, ${tracker.prompt_tokens + tracker.completion_tokens} tokens, $${tracker.total_cost.toFixed(6)}`);
System.exit(failures > 0 ? 1 : 0);
