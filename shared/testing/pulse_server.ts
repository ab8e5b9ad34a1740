/**
 * @module
 * A PulseAudio sound server of a test's own: a null sink `speaker` whose monitor is the
 * default source, on a unix socket in a temporary folder. Whatever is played to it is heard
 * by anything recording the default microphone (ffmpeg `-f pulse default`), which is how the
 * edge's tests hear spoken requests and its own voice. Clients reach it through the
 * `PULSE_SERVER` variable in {@linkcode PulseServer.env}. Extra null sinks (`sinks`) play the
 * part of a second device: what a program records from `NAME.monitor` is only what is played to
 * `NAME`, as with a headset's microphone.
 */

/** A running sound server. */
export interface PulseServer {
  /** `unix:/tmp/.../native`. */
  server: string;
  /** The environment a client needs (`PULSE_SERVER`, and a home for its config). */
  env: Record<string, string>;
  /**
   * Plays a WAV file into a sink (default `speaker`, and so into the default microphone);
   * resolves when done.
   */
  play(wav: string, sink?: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `pulseaudio` and waits until it answers. */
export async function startPulseServer(
  options: { sinks?: readonly string[] } = {},
): Promise<PulseServer> {
  const dir = await Deno.makeTempDir({ prefix: "pulse-" });
  const socket = `${dir}/native`;
  await Deno.writeTextFile(
    `${dir}/default.pa`,
    [
      "load-module module-null-sink sink_name=speaker",
      ...(options.sinks ?? []).map((name) => `load-module module-null-sink sink_name=${name}`),
      `load-module module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
      "set-default-sink speaker",
      "set-default-source speaker.monitor",
    ].join("\n") + "\n",
  );
  const env = { HOME: dir, XDG_RUNTIME_DIR: dir, XDG_CONFIG_HOME: dir };
  const child = new Deno.Command("pulseaudio", {
    args: ["-n", "-F", `${dir}/default.pa`, "--daemonize=no", "--exit-idle-time=-1"],
    env,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const server = `unix:${socket}`;
  const clientEnv = { ...env, PULSE_SERVER: server };
  const deadline = Date.now() + 20_000;
  for (;;) {
    const out = await new Deno.Command("pactl", {
      args: ["info"],
      env: clientEnv,
      stdout: "null",
      stderr: "null",
    }).output();
    if (out.success) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await child.status;
      throw new Error("pulseaudio did not answer within 20 s");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    server,
    env: clientEnv,
    async play(wav: string, sink = "speaker") {
      const out = await new Deno.Command("paplay", {
        args: [`--device=${sink}`, wav],
        env: clientEnv,
        stdout: "null",
        stderr: "piped",
      }).output();
      if (!out.success) throw new Error(`paplay failed: ${new TextDecoder().decode(out.stderr)}`);
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
