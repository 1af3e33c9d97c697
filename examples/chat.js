#!/usr/bin/env -S gjs -m
// chat.js: one chat call from JavaScript (GJS), with promises
//
//   OPENAI_API_KEY=sk-… ./chat.js "Say hello"

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Oai from 'gi://Oai?version=1';
import System from 'system';

Gio._promisify(Oai.Client.prototype, 'chat_async', 'chat_finish');

const client = Oai.Client.new_from_environment();
const request = Oai.ChatRequest.new('gpt-4o-mini');
request.add_message(Oai.Role.USER, ARGV[0] ?? 'Say hello');

const loop = new GLib.MainLoop(null, false);
let status = 0;
client.chat_async(request, null).then(response => {
    print(response.get_refusal() ?? response.get_content());
}).catch(error => {
    printerr(error.message);
    status = 1;
}).finally(() => loop.quit());
loop.run();
System.exit(status);
