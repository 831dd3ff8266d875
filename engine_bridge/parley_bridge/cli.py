"""`parley say` — speak one NPC turn through libparley, as a game engine would.

It initialises the runtime (with a progress line while models load), starts a turn, pulls audio
in real time on an "audio thread", prints each chunk of text as it becomes audible, then writes
the WAV and prints the turn's timeline. `--play` sends the same audio to the sound card.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import threading
import time
from pathlib import Path

import numpy as np
import soundfile

from parley_bridge.binding import ParleyCallError, load
from parley_bridge.host import Runtime, TurnResult, Voice


def _spinner(message: str, done: threading.Event) -> None:
    if not sys.stderr.isatty():  # a log file gets one line, not a wall of carriage returns
        print(f"{message}...", file=sys.stderr, flush=True)
        done.wait()
        return
    for frame in itertools.cycle("|/-\\"):
        if done.wait(0.15):
            break
        print(f"\r{message} {frame}", end="", file=sys.stderr, flush=True)
    print(f"\r{message} done", file=sys.stderr, flush=True)


def _init_with_progress(config: str | None) -> Runtime:
    runtime = Runtime(config)
    done = threading.Event()
    spinner = threading.Thread(target=_spinner, args=("loading models", done), daemon=True)
    spinner.start()
    t = time.monotonic()
    try:
        runtime.__enter__()
    finally:
        done.set()
        spinner.join()
    print(f"models ready in {time.monotonic() - t:.1f} s", file=sys.stderr)
    return runtime


def print_report(result: TurnResult) -> None:
    """The turn's timeline as the host saw it, and the core's own stage marks."""
    print("\ntimeline (host view, ms since parley_turn_start):")
    for ev in result.events:
        stream_ms = ev.frame * 1000 / result.sample_rate
        detail = ev.text if ev.type != "TURN_DONE" else ""
        print(f"  {ev.host_t * 1000:8.1f}  {ev.type:<22} stream@{stream_ms:8.1f} ms  {detail}".rstrip())
    done = result.terminal
    if done is not None and done.type == "TURN_DONE" and done.text:
        stats = json.loads(done.text)
        print("\ncore stages (ms since turn start):")
        for stage, t in stats["stages"]:
            print(f"  {t * 1000:8.1f}  {stage}")
        print(f"\nTTS real-time factor: {stats['tts_rtf']:.3f} ({stats['tts_seconds']:.2f} s of synthesis for {stats['audio_seconds']:.2f} s of audio)")
    if result.first_frame_s is not None:
        print(f"time to first audio (parley_turn_start -> first frame pulled): {result.first_frame_s * 1000:.0f} ms")
    underruns = sum(1 for e in result.events if e.type == "UNDERRUN")
    print(f"underruns after audio started: {underruns}")


def _play(path: Path) -> None:
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        print(f"cannot play: sounddevice is unavailable ({exc}); install PortAudio or open {path} yourself", file=sys.stderr)
        return
    try:
        data, rate = soundfile.read(path, dtype="float32")
        sounddevice.play(data, rate)
        sounddevice.wait()
    except Exception as exc:  # PortAudioError without an output device, among others
        print(f"cannot play: no usable audio output device ({exc}); the WAV is at {path}", file=sys.stderr)


def say(args: argparse.Namespace) -> int:
    try:
        lib = load()
    except ImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        runtime = _init_with_progress(args.config)
    except ParleyCallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        with Voice(lib, args.rate, args.channels, args.persona) as voice:
            print(f"player: {args.text}")

            def show(ev):
                if ev.type == "TEXT":
                    print(f"  npc [{ev.host_t:6.2f} s]: {ev.text}", flush=True)
                elif ev.type == "ERROR":
                    print(f"  error: {ev.text}", file=sys.stderr)

            result = voice.run_turn(args.text, speak=args.speak, on_event=show)
    except ParleyCallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        runtime.__exit__(None, None, None)
    audio = result.audio
    soundfile.write(args.out, audio, args.rate, subtype="PCM_16")
    rms = float(np.sqrt(np.mean(audio**2))) if audio.size else 0.0
    print(f"\nwrote {args.out}: {len(audio) / args.rate:.2f} s, {args.channels} ch, {args.rate} Hz, RMS {rms:.3f}")
    print_report(result)
    if args.play:
        _play(Path(args.out))
    terminal = result.terminal
    return 0 if terminal is not None and terminal.type == "TURN_DONE" else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="parley", description="Real-time voice for game NPCs.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("say", help="speak one NPC turn through libparley and write a WAV")
    p.add_argument("text", help="what the player says (or, with --speak, the line to speak)")
    p.add_argument("--out", default="turn.wav", help="WAV file to write (default turn.wav)")
    p.add_argument("--play", action="store_true", help="also play the turn on the default output device")
    p.add_argument("--speak", action="store_true", help="speak TEXT as is, without the LLMs")
    p.add_argument("--config", help="JSON text or a .json/.toml file; default: the embedded CPU engines")
    p.add_argument("--persona", help="who the NPC is (system prompt)")
    p.add_argument("--rate", type=int, default=48000, help="output sample rate (default 48000)")
    p.add_argument("--channels", type=int, default=2, help="output channels (default 2)")
    args = parser.parse_args(argv)
    return say(args)


if __name__ == "__main__":
    sys.exit(main())
