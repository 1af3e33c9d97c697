#!/usr/bin/env -S gjs -m
// stream.js: a streamed chat in a terminal, with its cost at the end
//
//   OPENAI_API_KEY=sk-… ./stream.js "Tell me a joke"

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Oai from 'gi://Oai?version=1';
import System from 'system';

Gio._promisify(Oai.ChatStream.prototype, 'run_async', 'run_finish');

const client = Oai.Client.new_from_environment();
const request = Oai.ChatRequest.new('gpt-4o-mini');
request.add_message(Oai.Role.USER, ARGV[0] ?? 'Tell me a joke');

const stdout = new Gio.DataOutputStream({
    base_stream: new Gio.UnixOutputStream({fd: 1, close_fd: false}),
});
const stream = client.stream_chat(request);
stream.connect('content-delta', (_stream, text) => stdout.put_string(text, null));

const loop = new GLib.MainLoop(null, false);
let status = 0;
stream.run_async(null).then(response => {
    const usage = response.get_usage();
    const cost = response.get_cost();
    stdout.put_string('\n', null);
    printerr(`— ${usage ? usage.total_tokens : 0} tokens, ${Number.isNaN(cost) ? 'cost unknown' : '$' + cost.toFixed(6)}`);
}).catch(error => {
    printerr(`\n${error.message}`);
    status = 1;
}).finally(() => loop.quit());
loop.run();
System.exit(status);
