// The client through GObject introspection, as a GJS program uses it.
// Prints TAP; exits non-zero on the first failure.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Oai from 'gi://Oai?version=1';
import System from 'system';

Gio._promisify(Oai.Client.prototype, 'chat_async', 'chat_finish');
Gio._promisify(Oai.ChatStream.prototype, 'run_async', 'run_finish');

let testNumber = 0;
const tests = [];
function test(name, func) {
    tests.push([name, func]);
}

function assertEqual(actual, expected, what) {
    if (actual !== expected)
        throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function startServer(script) {
    const dir = GLib.dir_make_tmp('oai-gjs-XXXXXX');
    const path = GLib.build_filenamev([dir, 'script.json']);
    GLib.file_set_contents(path, JSON.stringify(script));
    const proc = Gio.Subprocess.new([GLib.getenv('OAI_MOCK_SERVER'), path],
        Gio.SubprocessFlags.STDIN_PIPE | Gio.SubprocessFlags.STDOUT_PIPE);
    const stdout = new Gio.DataInputStream({base_stream: proc.get_stdout_pipe()});
    const [line] = stdout.read_line_utf8(null);
    return {
        url: line.trim(),
        stop() {
            proc.get_stdin_pipe().close(null);
            proc.wait(null);
        },
    };
}

function helloRequest() {
    const request = Oai.ChatRequest.new('gpt-4o-mini');
    request.add_message(Oai.Role.USER, 'Say hello');
    return request;
}

function clientFor(server) {
    const client = Oai.Client.new('sk-gjs-test');
    client.base_url = server.url;
    client.retry_base_delay = 0.01;
    client.retry_max_delay = 0.02;
    return client;
}

test('async chat with promises', async () => {
    const server = startServer({default: {content: 'Hello from GJS!', headers: {'x-request-id': 'req_js'}}});
    try {
        const client = clientFor(server);
        const response = await client.chat_async(helloRequest(), null);
        assertEqual(response.get_content(), 'Hello from GJS!', 'content');
        assertEqual(response.get_request_id(), 'req_js', 'request id');
        assertEqual(response.get_usage().total_tokens, 21, 'total tokens');
        assertEqual(response.get_attempts(), 1, 'attempts');
    } finally {
        server.stop();
    }
});

test('blocking chat', async () => {
    const server = startServer({default: {content: 'blocking'}});
    try {
        const response = clientFor(server).chat(helloRequest(), null);
        assertEqual(response.get_content(), 'blocking', 'content');
    } finally {
        server.stop();
    }
});

test('errors carry taxonomy codes and retries are signalled', async () => {
    const server = startServer({
        answers: [{status: 503, body: '{"error":{"message":"overloaded"}}'}],
        default: {status: 404, body: '{"error":{"message":"The model does not exist","code":"model_not_found"}}'},
    });
    try {
        const client = clientFor(server);
        const retries = [];
        client.connect('retrying', (_c, attempt, error, _delay) => retries.push([attempt, error.code]));
        let caught = null;
        try {
            await client.chat_async(helloRequest(), null);
        } catch (e) {
            caught = e;
        }
        if (!caught)
            throw new Error('no error');
        if (!caught.matches(Oai.error_quark(), Oai.Error.NOT_FOUND))
            throw new Error(`wrong error: ${caught}`);
        assertEqual(caught.message.includes('model_not_found'), true, 'message has the code');
        assertEqual(retries.length, 1, 'one retry');
        assertEqual(retries[0][0], 2, 'retry attempt');
        assertEqual(retries[0][1], Oai.Error.SERVER, 'retry error');
    } finally {
        server.stop();
    }
});

test('streamed deltas', async () => {
    const body = ['Hel', 'lo', ' from', ' GJS'].map(t =>
        `data: {"choices":[{"index":0,"delta":{"content":"${t}"}}]}\n\n`).join('') +
        'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n';
    const server = startServer({default: {action: 'stream', body, chunk_min: 1, chunk_max: 7}});
    try {
        const stream = clientFor(server).stream_chat(helloRequest());
        const deltas = [];
        stream.connect('content-delta', (_s, text) => deltas.push(text));
        const response = await stream.run_async(null);
        assertEqual(deltas.join('|'), 'Hel|lo| from| GJS', 'deltas');
        assertEqual(response.get_content(), 'Hello from GJS', 'content');
        assertEqual(stream.get_message().content, 'Hello from GJS', 'message');
        assertEqual(response.get_finish_reason(), 'stop', 'finish reason');
    } finally {
        server.stop();
    }
});

test('tokenizer', async () => {
    const tokenizer = Oai.Tokenizer.new('o200k_base');
    const ids = tokenizer.encode('hello world', -1);
    assertEqual(Array.from(ids).join(','), '24912,2375', 'ids');
    assertEqual(tokenizer.count('hello world', -1), 2, 'count');
    assertEqual(tokenizer.decode(ids), 'hello world', 'decode');
    assertEqual(Oai.Tokenizer.new_for_model('gpt-4-0613').get_encoding(), 'cl100k_base', 'encoding');
    const request = helloRequest();
    assertEqual(tokenizer.count_request(request) > 3, true, 'count_request');
});

test('cost tracker and rate limiter', async () => {
    const server = startServer({default: {content: 'priced'}});
    try {
        const client = clientFor(server);
        const tracker = Oai.CostTracker.new();
        const limiter = Oai.RateLimiter.new(600, 100000);
        limiter.max_concurrent = 2;
        client.cost_tracker = tracker;
        client.rate_limiter = limiter;
        const response = await client.chat_async(helloRequest(), null);
        const expected = (9 * 0.15 + 12 * 0.60) / 1e6;
        assertEqual(Math.abs(response.get_cost() - expected) < 1e-12, true, 'cost');
        assertEqual(Math.abs(tracker.total_cost - expected) < 1e-12, true, 'total');
        assertEqual(limiter.queued, 0, 'queued');
        const usage = new Oai.Usage({prompt_tokens: 1000000, completion_tokens: 0});
        assertEqual(Math.abs(tracker.cost_for('gpt-4o', usage) - 2.5) < 1e-9, true, 'cost_for');
    } finally {
        server.stop();
    }
});

test('usage is constructible', async () => {
    const usage = new Oai.Usage({prompt_tokens: 9, completion_tokens: 1});
    assertEqual(usage.total_tokens, 10, 'total');
});

const loop = new GLib.MainLoop(null, false);
let failed = 0;
(async () => {
    print(`1..${tests.length}`);
    for (const [name, func] of tests) {
        testNumber++;
        try {
            await func();
            print(`ok ${testNumber} ${name}`);
        } catch (e) {
            failed++;
            print(`not ok ${testNumber} ${name}`);
            printerr(`# ${e}\n${e.stack}`);
        }
    }
    loop.quit();
})();
loop.run();
System.exit(failed > 0 ? 1 : 0);
