import { assertEquals } from "@shared/testing/asserts.ts";
import {
  captureCommand,
  type CaptureSpec,
  type CaptureTool,
  describeDeviceListing,
  listDevicesCommands,
  type Os,
} from "./capture_command.ts";

const OUT_F = "-vn -ac 1 -ar 16000 -f s16le -acodec pcm_s16le pipe:1";
const OUT_S = "-t raw -e signed-integer -b 16 -c 1 -r 16000 -L -";
const OUT_P =
  "--format=s16le --rate=16000 --channels=1 --latency-msec=50 --raw --client-name=voice-edge --stream-name=microphone";

const table: [string, CaptureSpec, string][] = [
  [
    "ffmpeg file",
    { tool: "ffmpeg", os: "linux", input: "a.mp3" },
    `ffmpeg -hide_banner -loglevel error -nostdin -i a.mp3 ${OUT_F}`,
  ],
  [
    "ffmpeg windows mic",
    { tool: "ffmpeg", os: "windows", device: "Microphone (USB)" },
    `ffmpeg -hide_banner -loglevel error -nostdin -f dshow -audio_buffer_size 50 -i audio=Microphone (USB) ${OUT_F}`,
  ],
  [
    "ffmpeg mac mic",
    { tool: "ffmpeg", os: "darwin" },
    `ffmpeg -hide_banner -loglevel error -nostdin -f avfoundation -i :0 ${OUT_F}`,
  ],
  [
    "ffmpeg linux pulse",
    { tool: "ffmpeg", os: "linux" },
    `ffmpeg -hide_banner -loglevel error -nostdin -f pulse -sample_rate 16000 -channels 1 -wallclock 0 -i default ${OUT_F}`,
  ],
  [
    "ffmpeg linux alsa",
    { tool: "ffmpeg", os: "linux", linuxBackend: "alsa", device: "hw:1" },
    `ffmpeg -hide_banner -loglevel error -nostdin -f alsa -i hw:1 ${OUT_F}`,
  ],
  ["sox file", { tool: "sox", os: "windows", input: "in.flac" }, `sox -q -V1 in.flac ${OUT_S}`],
  ["sox windows mic", { tool: "sox", os: "windows" }, `sox -q -V1 -t waveaudio default ${OUT_S}`],
  ["sox mac mic", { tool: "sox", os: "darwin" }, `sox -q -V1 -t coreaudio default ${OUT_S}`],
  ["sox linux pulse", { tool: "sox", os: "linux" }, `sox -q -V1 -t pulseaudio default ${OUT_S}`],
  ["parec default source", { tool: "parec", os: "linux" }, `parec ${OUT_P}`],
  [
    "parec named source",
    { tool: "parec", os: "linux", device: "alsa_input.usb-Mic.analog-mono" },
    `parec ${OUT_P} --device=alsa_input.usb-Mic.analog-mono`,
  ],
];

for (const [name, spec, expected] of table) {
  Deno.test(`captureCommand(): ${name}`, () => {
    const { cmd, args } = captureCommand(spec);
    assertEquals([cmd, ...args].join(" "), expected);
  });
}

const listings: [string, CaptureTool, Os, string[]][] = [
  ["ffmpeg windows", "ffmpeg", "windows", [
    "ffmpeg -hide_banner -list_devices true -f dshow -i dummy",
  ]],
  ["ffmpeg mac", "ffmpeg", "darwin", [
    "ffmpeg -hide_banner -list_devices true -f avfoundation -i ",
  ]],
  ["ffmpeg linux: pulse, then alsa", "ffmpeg", "linux", [
    "ffmpeg -hide_banner -sources pulse",
    "ffmpeg -hide_banner -sources alsa",
  ]],
  ["sox anywhere", "sox", "linux", ["sox -h"]],
  ["parec: the sound server's sources", "parec", "linux", ["pactl list short sources"]],
];

for (const [name, tool, os, expected] of listings) {
  Deno.test(`listDevicesCommands(): ${name}`, () => {
    assertEquals(listDevicesCommands(tool, os).map((c) => [c.cmd, ...c.args].join(" ")), expected);
  });
}

Deno.test("describeDeviceListing() reduces sox's help to its drivers and how to name a device", () => {
  const help = "SoX v14.4.2\nAUDIO FILE FORMATS: wav flac\nAUDIO DEVICE DRIVERS: alsa pulseaudio\n";
  assertEquals(
    describeDeviceListing("sox", "linux", help),
    "sox audio drivers: alsa pulseaudio\n" +
      "sox cannot list devices; name one with --device: default, or an ALSA name such as hw:1,0 (see arecord -L)",
  );
  assertEquals(
    describeDeviceListing("sox", "windows", "no drivers line"),
    "sox audio drivers: none (this sox was built without audio device support)\n" +
      "sox cannot list devices; name one with --device: default, or a device number such as 0",
  );
  assertEquals(describeDeviceListing("ffmpeg", "linux", "  \n"), "(no devices reported)");
  assertEquals(describeDeviceListing("parec", "linux", ""), "(no devices reported)");
  const sources = "0\tspeaker.monitor\tmodule-null-sink.c\ts16le 2ch 44100Hz\tIDLE\n";
  assertEquals(describeDeviceListing("parec", "linux", sources), sources.trim());
});
