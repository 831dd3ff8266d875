@icon("res://addons/parley/icon.svg")
class_name ParleyVoice3D
extends AudioStreamPlayer3D
## An NPC that talks, positioned in 3D. Call say() with the player's line; the reply streams out
## of this player while the LLM is still writing. Subtitles arrive through text_spoken when each
## chunk becomes audible. With autoplay on, greeting is spoken as soon as the runtime is ready.

signal turn_started(turn_id: int)
signal text_spoken(text: String)
signal audio_started(turn_id: int)
signal turn_finished(turn_id: int)
signal failed(message: String)

@export_multiline var persona := ""
@export var tts_voice := ""
@export var greeting := ""

## How loud the voice is right now (RMS of what the mixer just pulled), for simple lip flap.
var mouth_open := 0.0

var _driver := ParleyVoiceDriver.new()


func _ready() -> void:
	_driver.ready(self)


## Answers the player's line with the LLMs. Returns the turn id (0 if it could not start).
func say(player_text: String) -> int:
	return _driver.start(self, player_text, false)


## Speaks a fixed line, without the LLMs.
func speak(line: String) -> int:
	return _driver.start(self, line, true)


func cancel() -> void:
	_driver.cancel()


func is_speaking() -> bool:
	return _driver.speaking


func _process(_delta: float) -> void:
	_driver.process(self)


func _exit_tree() -> void:
	_driver.detach()
