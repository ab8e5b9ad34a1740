/**
 * @module
 * The `sox`/`ffmpeg`/`parec` command line that turns a microphone or a file into raw s16le,
 * 16 kHz, mono on stdout, for each OS. Pure: the same inputs give the same arguments.
 */

/**
 * `parec` (PulseAudio's recorder; PipeWire's pulse server answers it too) records a sound
 * server's source and nothing else: no files, no ALSA. For a Linux microphone it costs a third
 * of what ffmpeg does for the same audio (about 0.3% of a core against 0.9% here), since it
 * writes the server's packets as they come, with no demuxer and no thread handing them on.
 */
export type CaptureTool = "sox" | "ffmpeg" | "parec";
export type Os = "windows" | "linux" | "darwin";

export interface CaptureSpec {
  tool: CaptureTool;
  os: Os;
  /** A file to decode instead of the microphone. */
  input?: string;
  /** Named input device; the default microphone when omitted. */
  device?: string;
  /** Linux only: which audio system to open. @default "pulse" */
  linuxBackend?: "pulse" | "alsa";
}

const FFMPEG_OUT = [
  "-vn",
  "-ac",
  "1",
  "-ar",
  "16000",
  "-f",
  "s16le",
  "-acodec",
  "pcm_s16le",
  "pipe:1",
];
/**
 * PulseAudio input as the edge wants it, 16 kHz mono: the sound server converts once if the
 * device differs, instead of handing ffmpeg its default of 48 kHz stereo to convert back.
 * `-wallclock 0` leaves packets to be stamped by their sample count, not by the time each
 * arrived: with the wall clock's jitter ffmpeg 5 printed "non monotonically increasing dts" on
 * some runs a couple of times a second, filling the stderr the edge keeps for error messages.
 * Raw PCM carries no timestamps, and the edge times frames itself.
 */
const FFMPEG_PULSE_IN = ["-sample_rate", "16000", "-channels", "1", "-wallclock", "0"];
/**
 * DirectShow input in 50 ms buffers. Left to itself, ffmpeg takes the device's default buffer,
 * which ffmpeg's documentation gives as typically a multiple of 500 ms: audio would then reach the
 * edge half a second at a time, and a speech end be seen up to that much later. 50 ms is what
 * PulseAudio hands ffmpeg on Linux.
 */
const FFMPEG_DSHOW_IN = ["-audio_buffer_size", "50"];
const SOX_OUT = [
  "-t",
  "raw",
  "-e",
  "signed-integer",
  "-b",
  "16",
  "-c",
  "1",
  "-r",
  "16000",
  "-L",
  "-",
];

/**
 * parec's arguments: the server converts to 16 kHz mono s16le once, as for ffmpeg's pulse input,
 * and hands over 50 ms at a time, the fragments ffmpeg gets, so that a speech end is seen as soon.
 */
const PAREC_ARGS = [
  "--format=s16le",
  "--rate=16000",
  "--channels=1",
  "--latency-msec=50",
  "--raw",
  "--client-name=voice-edge",
  "--stream-name=microphone",
];

export function captureCommand(spec: CaptureSpec): { cmd: string; args: string[] } {
  if (spec.tool === "parec") {
    // Never given a file nor ALSA: startCapture turns those to ffmpeg or sox.
    return {
      cmd: "parec",
      args: [...PAREC_ARGS, ...(spec.device ? [`--device=${spec.device}`] : [])],
    };
  }
  if (spec.tool === "ffmpeg") {
    const base = ["-hide_banner", "-loglevel", "error", "-nostdin"];
    if (spec.input) return { cmd: "ffmpeg", args: [...base, "-i", spec.input, ...FFMPEG_OUT] };
    switch (spec.os) {
      case "windows":
        return {
          cmd: "ffmpeg",
          args: [
            ...base,
            "-f",
            "dshow",
            ...FFMPEG_DSHOW_IN,
            "-i",
            `audio=${spec.device ?? "default"}`,
            ...FFMPEG_OUT,
          ],
        };
      case "darwin":
        return {
          cmd: "ffmpeg",
          args: [...base, "-f", "avfoundation", "-i", `:${spec.device ?? "0"}`, ...FFMPEG_OUT],
        };
      case "linux": {
        const backend = spec.linuxBackend ?? "pulse";
        return {
          cmd: "ffmpeg",
          args: [
            ...base,
            "-f",
            backend,
            ...(backend === "pulse" ? FFMPEG_PULSE_IN : []),
            "-i",
            spec.device ?? "default",
            ...FFMPEG_OUT,
          ],
        };
      }
    }
  }
  const base = ["-q", "-V1"];
  if (spec.input) return { cmd: "sox", args: [...base, spec.input, ...SOX_OUT] };
  switch (spec.os) {
    case "windows":
      return {
        cmd: "sox",
        args: [...base, "-t", "waveaudio", spec.device ?? "default", ...SOX_OUT],
      };
    case "darwin":
      return {
        cmd: "sox",
        args: [...base, "-t", "coreaudio", spec.device ?? "default", ...SOX_OUT],
      };
    case "linux": {
      const backend = spec.linuxBackend ?? "pulse";
      return {
        cmd: "sox",
        args: [
          ...base,
          "-t",
          backend === "pulse" ? "pulseaudio" : "alsa",
          spec.device ?? "default",
          ...SOX_OUT,
        ],
      };
    }
  }
}

/** The command that lists input devices, per tool and OS (the first of {@link listDevicesCommands}). */
export function listDevicesCommand(tool: CaptureTool, os: Os): { cmd: string; args: string[] } {
  return listDevicesCommands(tool, os)[0]!;
}

/**
 * The commands whose output shows the input devices a tool can open. pactl lists the sound
 * server's sources for parec (a monitor source records what a sink plays). ffmpeg enumerates them
 * (DirectShow, AVFoundation; PulseAudio then ALSA on Linux). sox has no listing: its help names
 * the audio drivers it was built with, and a device is then given by name (`default`, `hw:1,0`).
 */
export function listDevicesCommands(tool: CaptureTool, os: Os): { cmd: string; args: string[] }[] {
  // parec names a source as the sound server does; pactl (packaged with it) lists them.
  if (tool === "parec") return [{ cmd: "pactl", args: ["list", "short", "sources"] }];
  if (tool === "ffmpeg") {
    if (os === "windows") {
      return [{
        cmd: "ffmpeg",
        args: ["-hide_banner", "-list_devices", "true", "-f", "dshow", "-i", "dummy"],
      }];
    }
    if (os === "darwin") {
      return [{
        cmd: "ffmpeg",
        args: ["-hide_banner", "-list_devices", "true", "-f", "avfoundation", "-i", ""],
      }];
    }
    return [
      { cmd: "ffmpeg", args: ["-hide_banner", "-sources", "pulse"] },
      { cmd: "ffmpeg", args: ["-hide_banner", "-sources", "alsa"] },
    ];
  }
  return [{ cmd: "sox", args: ["-h"] }];
}

/** What to show of a listing: sox's help is reduced to its audio drivers and how to name a device. */
export function describeDeviceListing(tool: CaptureTool, os: Os, output: string): string {
  const text = output.trim();
  if (tool !== "sox") return text || "(no devices reported)";
  const drivers = text.match(/^AUDIO DEVICE DRIVERS:\s*(.*)$/m)?.[1]?.trim();
  const example = os === "windows"
    ? "default, or a device number such as 0"
    : os === "darwin"
    ? "default, or a Core Audio device name"
    : "default, or an ALSA name such as hw:1,0 (see arecord -L)";
  return [
    `sox audio drivers: ${drivers || "none (this sox was built without audio device support)"}`,
    `sox cannot list devices; name one with --device: ${example}`,
  ].join("\n");
}

/**
 * Audio device names in the output of `ffmpeg -list_devices true -f dshow -i dummy`, in order.
 * DirectShow has no "default" device name, so the first one listed stands for the default
 * microphone. Both layouts are read: ffmpeg ≥ 4.4 tags each line `"Name" (audio)`; older builds
 * list audio devices under a "DirectShow audio devices" heading.
 */
export function parseDshowAudioDevices(listing: string): string[] {
  const devices: string[] = [];
  let inAudioSection = false;
  for (const raw of listing.split(/\r?\n/)) {
    const line = raw.replace(/^\[dshow @ [0-9a-fA-Fx]+\]\s*/, "");
    if (/DirectShow audio devices/i.test(line)) {
      inAudioSection = true;
      continue;
    }
    if (/DirectShow video devices/i.test(line)) {
      inAudioSection = false;
      continue;
    }
    if (/^Alternative name/i.test(line.trim())) continue;
    const tagged = line.match(/^\s*"(.+)"\s+\((audio|video|audio, video|none)\)\s*$/);
    if (tagged) {
      if (tagged[2]!.includes("audio")) devices.push(tagged[1]!);
      continue;
    }
    const plain = line.match(/^\s*"(.+)"\s*$/);
    if (plain && inAudioSection) devices.push(plain[1]!);
  }
  return devices;
}
