class_name ParleyVoiceDriver
extends RefCounted
## What ParleyVoice and ParleyVoice3D share: the voice's lifetime, its ParleyAudioStream, and
## turning libparley's events into the owner's signals. Events are polled on the main thread.

const EVENT_TURN_STARTED := 1
const EVENT_TEXT := 2
const EVENT_AUDIO_STARTED := 4
const EVENT_TURN_DONE := 6
const EVENT_CANCELLED := 7
const EVENT_ERROR := 8

var voice_id := 0
var speaking := false


## Called from the node's _ready: attaches as soon as the ParleyRuntime autoload is ready.
func ready(player: Node) -> void:
	var runtime := player.get_node("/root/ParleyRuntime")
	if runtime.is_ready:
		_on_runtime_ready(player)
	else:
		runtime.runtime_ready.connect(_on_runtime_ready.bind(player), CONNECT_ONE_SHOT)
		runtime.failed.connect(func(message: String) -> void: player.failed.emit(message))


func _on_runtime_ready(player: Node) -> void:
	var error := attach(player, player.persona, player.tts_voice)
	if error != "":
		player.failed.emit(error)
	elif player.autoplay and player.greeting != "":
		start(player, player.greeting, true)


## Creates the voice at the mixer's rate and starts the player on its stream. Returns "" or why not.
func attach(player: Node, persona: String, tts_voice: String) -> String:
	var rate := int(AudioServer.get_mix_rate())
	var id: int = Parley.create_voice(rate, 2, persona, tts_voice)
	if id < 0:
		return Parley.last_error()
	voice_id = id
	var stream := ParleyAudioStream.new()
	stream.voice_id = id
	player.stream = stream
	player.play()
	return ""


func detach() -> void:
	if voice_id > 0:
		Parley.destroy_voice(voice_id)
		voice_id = 0


## Starts a turn (an LLM reply, or a fixed line). Returns the turn id, or 0 after emitting failed.
func start(owner: Node, text: String, fixed_line: bool) -> int:
	if voice_id <= 0:
		owner.failed.emit("this voice is not ready: wait for ParleyRuntime.runtime_ready")
		return 0
	var turn: int = Parley.speak(voice_id, text) if fixed_line else Parley.say(voice_id, text)
	if turn < 0:
		owner.failed.emit(Parley.last_error())
		return 0
	return turn


func cancel() -> void:
	if voice_id > 0:
		Parley.cancel(voice_id)


func level() -> float:
	return Parley.get_level(voice_id) if voice_id > 0 else 0.0


## Called from the node's _process: events become signals, and the level becomes mouth_open.
func process(owner: Node) -> void:
	owner.mouth_open = level()
	if voice_id <= 0:
		return
	var type: int = Parley.poll_event(voice_id)
	while type > 0:
		var turn: int = Parley.event_turn(voice_id)
		match type:
			EVENT_TURN_STARTED:
				speaking = true
				owner.turn_started.emit(turn)
			EVENT_TEXT:
				owner.text_spoken.emit(Parley.event_text(voice_id))
			EVENT_AUDIO_STARTED:
				owner.audio_started.emit(turn)
			EVENT_TURN_DONE, EVENT_CANCELLED:
				speaking = false
				owner.turn_finished.emit(turn)
			EVENT_ERROR:
				speaking = false
				owner.failed.emit(Parley.event_text(voice_id))
		type = Parley.poll_event(voice_id)
