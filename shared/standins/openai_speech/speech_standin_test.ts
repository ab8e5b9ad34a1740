/**
 * The speech stand-in through the real `openai` SDK (and raw HTTP for what the SDK would not
 * send): streamed 24 kHz PCM of real speech, and OpenAI's error shapes.
 */
import OpenAI from "openai";
import { assert, assertEquals, assertRejects } from "@shared/testing/asserts.ts";
import { soundSpanMs } from "@shared/standins/openai_realtime/energy_vad.ts";
import { parseWav } from "@shared/standins/openai_realtime/pcm_codec.ts";
import { SPEECH_RATE, startSpeechStandIn } from "./speech_standin.ts";

async function readAll(
  body: ReadableStream<Uint8Array>,
): Promise<{ bytes: Uint8Array; chunks: number }> {
  const parts: Uint8Array[] = [];
  for await (const c of body) parts.push(c);
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, chunks: parts.length };
}

Deno.test("speech stand-in streams real speech as 24 kHz PCM to the openai SDK", async () => {
  const standIn = await startSpeechStandIn({ apiKey: "sk-test" });
  try {
    const client = new OpenAI({ apiKey: "sk-test", baseURL: standIn.url });
    const res = await client.audio.speech.create({
      model: "gpt-4o-mini-tts",
      voice: "alloy",
      input: "The deploy is passing. It cost two cents.",
      response_format: "pcm",
    });
    assertEquals(res.headers.get("content-type"), "audio/pcm");
    const { bytes, chunks } = await readAll(res.body!);
    assert(chunks > 1, `streamed in ${chunks} chunks`);
    const samples = new Int16Array(bytes.buffer, 0, bytes.length / 2);
    const speech = soundSpanMs(samples, {
      sampleRate: SPEECH_RATE,
      thresholdDbfs: -40,
      silenceMs: 300,
    });
    assert(speech > 1500 && speech < 5000, `${speech} ms of sound`);
    assertEquals(standIn.spoken[0]?.input, "The deploy is passing. It cost two cents.");
    assertEquals(standIn.spoken[0]?.samples, samples.length);
    // wav: the same audio behind a header a WAV reader accepts.
    const wav = await client.audio.speech.create({
      model: "gpt-4o-mini-tts",
      voice: { id: "voice_1234" },
      input: "Say yes or no.",
      response_format: "wav",
    });
    const parsed = parseWav((await readAll(wav.body!)).bytes);
    assertEquals(parsed.sampleRate, SPEECH_RATE);
    assert(parsed.samples.length > SPEECH_RATE / 2);
  } finally {
    await standIn.close();
  }
});

Deno.test("speech stand-in answers bad keys and bad bodies with OpenAI's errors", async () => {
  const standIn = await startSpeechStandIn({ apiKey: "sk-right" });
  try {
    const wrong = new OpenAI({ apiKey: "sk-wrong-key", baseURL: standIn.url, maxRetries: 0 });
    const auth = await assertRejects(
      () => wrong.audio.speech.create({ model: "gpt-4o-mini-tts", voice: "alloy", input: "hi" }),
      OpenAI.AuthenticationError,
    );
    assertEquals(auth.status, 401);
    assertEquals(auth.code, "invalid_api_key");
    const client = new OpenAI({ apiKey: "sk-right", baseURL: standIn.url, maxRetries: 0 });
    const voice = await assertRejects(
      () => client.audio.speech.create({ model: "gpt-4o-mini-tts", voice: "robot", input: "hi" }),
      OpenAI.BadRequestError,
    );
    assertEquals(voice.param, "voice");
    assertEquals(voice.code, "invalid_value");
    const post = (
      body: string,
      headers: Record<string, string> = { authorization: "Bearer sk-right" },
    ) =>
      fetch(`${standIn.url}/audio/speech`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
    let res = await post(JSON.stringify({ model: "gpt-4o-mini-tts", voice: "alloy" }));
    assertEquals(res.status, 400);
    assertEquals(await res.json(), {
      error: {
        message: "Missing required parameter: 'input'.",
        type: "invalid_request_error",
        param: "input",
        code: "missing_required_parameter",
      },
    });
    res = await post("{not json");
    assertEquals(res.status, 400);
    assertEquals((await res.json()).error.type, "invalid_request_error");
    res = await post(JSON.stringify({ model: "gpt-4o-mini-tts", voice: "alloy", input: "x" }), {});
    assertEquals(res.status, 401);
    assertEquals((await res.json()).error.code, null);
    res = await post(
      JSON.stringify({
        model: "gpt-4o-mini-tts",
        voice: "alloy",
        input: "x",
        response_format: "mp3",
      }),
    );
    assertEquals(res.status, 400);
    assertEquals(
      (await res.json()).error.message,
      "This stand-in streams 'pcm' and 'wav' only: current value is 'mp3'.",
    );
    assertEquals(standIn.spoken.length, 0);
  } finally {
    await standIn.close();
  }
});

Deno.test("speech stand-in answers with a tone of the text's length when told to", async () => {
  const standIn = await startSpeechStandIn({ tone: true });
  try {
    const client = new OpenAI({ apiKey: "any", baseURL: standIn.url });
    const res = await client.audio.speech.create({
      model: "gpt-4o-mini-tts",
      voice: "alloy",
      input: "one two three four five six",
      response_format: "pcm",
    });
    const { bytes } = await readAll(res.body!);
    assertEquals(bytes.length / 2, Math.round((6 / 2.9) * SPEECH_RATE));
  } finally {
    await standIn.close();
  }
});
