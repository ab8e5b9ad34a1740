import { assertEquals } from "@shared/testing/asserts.ts";
import { parseDshowAudioDevices } from "./capture_command.ts";

// Listings as ffmpeg prints them on Windows (stderr of `-list_devices true -f dshow -i dummy`).
const TAGGED = String.raw`[dshow @ 0000020d2a9f6f40] "Integrated Camera" (video)
[dshow @ 0000020d2a9f6f40]   Alternative name "@device_pnp_\\?\usb#vid_04f2&pid_b6d9&mi_00#6&1c1b5a0e&0&0000#{65e8773d-8f56-11d0-a3b9-00a0c9223196}\global"
[dshow @ 0000020d2a9f6f40] "Microphone Array (Realtek(R) Audio)" (audio)
[dshow @ 0000020d2a9f6f40]   Alternative name "@device_cm_{33D9A762-90C8-11D0-BD43-00A0C911CE86}\wave_{B5B0A1C4-2E25-4D5A-8D6F-0E6C4C6C7A4B}"
[dshow @ 0000020d2a9f6f40] "Headset (Jabra Evolve2 65)" (audio)
[dshow @ 0000020d2a9f6f40]   Alternative name "@device_cm_{33D9A762-90C8-11D0-BD43-00A0C911CE86}\wave_{0C1F3E9A-5B7D-4E9C-9A4D-7F5D8C2B1A3E}"
dummy: Immediate exit requested`;

const SECTIONS = String
  .raw`[dshow @ 000001c9] DirectShow video devices (some may be both video and audio devices)
[dshow @ 000001c9]  "USB2.0 HD UVC WebCam"
[dshow @ 000001c9]     Alternative name "@device_pnp_\\?\usb#vid_13d3"
[dshow @ 000001c9] DirectShow audio devices
[dshow @ 000001c9]  "Microphone (USB Audio Device)"
[dshow @ 000001c9]     Alternative name "@device_cm_{33D9A762}\wave_{A1}"
dummy: Immediate exit requested`;

const table: [string, string, string[]][] = [
  ["ffmpeg ≥ 4.4 tags each device", TAGGED, [
    "Microphone Array (Realtek(R) Audio)",
    "Headset (Jabra Evolve2 65)",
  ]],
  ["older ffmpeg lists audio under a heading", SECTIONS, ["Microphone (USB Audio Device)"]],
  ["CRLF line ends", TAGGED.replaceAll("\n", "\r\n"), [
    "Microphone Array (Realtek(R) Audio)",
    "Headset (Jabra Evolve2 65)",
  ]],
  ["a machine with only a camera", `[dshow @ 01] "Cam" (video)\ndummy: Immediate exit`, []],
  ["no output at all", "", []],
];

for (const [name, listing, expected] of table) {
  Deno.test(`parseDshowAudioDevices(): ${name}`, () => {
    assertEquals(parseDshowAudioDevices(listing), expected);
  });
}
