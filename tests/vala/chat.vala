/* chat.vala: a chat call from Vala, through the generated VAPI.
 *
 *   chat BASE_URL  — asks the server at BASE_URL, prints the answer
 */

int main (string[] args) {
    if (args.length != 2) {
        stderr.printf ("usage: chat BASE_URL\n");
        return 2;
    }

    var client = new Oai.Client ("sk-vala-test");
    client.base_url = args[1];

    var request = new Oai.ChatRequest ("gpt-4o-mini");
    request.add_message (Oai.Role.USER, "Say hello");

    size_t prompt_tokens;
    try {
        prompt_tokens = new Oai.Tokenizer ("o200k_base").count_request (request);
    } catch (Error e) {
        stderr.printf ("%s\n", e.message);
        return 1;
    }

    var loop = new MainLoop ();
    Oai.ChatResponse? response = null;
    Error? failure = null;
    client.chat_async.begin (request, null, (obj, res) => {
        try {
            response = client.chat_async.end (res);
        } catch (Error e) {
            failure = e;
        }
        loop.quit ();
    });
    loop.run ();

    if (failure != null) {
        stderr.printf ("%s\n", failure.message);
        return 1;
    }

    stdout.printf ("%s|%u|%u\n", response.get_content (), response.get_usage ().total_tokens,
                   (uint) prompt_tokens);
    return 0;
}
