extends Control
## Type a line, press Enter: Aldric answers out loud, with subtitles and a mouth meter.

@onready var npc: ParleyVoice = $Npc
@onready var status: Label = $Layout/Status
@onready var mouth: ProgressBar = $Layout/Mouth
@onready var subtitles: Label = $Layout/Subtitles
@onready var player_line: LineEdit = $Layout/PlayerLine


func _ready() -> void:
	var runtime := get_node("/root/ParleyRuntime")
	runtime.progress.connect(func(message: String) -> void: status.text = message)
	npc.turn_started.connect(func(_turn: int) -> void: subtitles.text = "")
	npc.text_spoken.connect(func(text: String) -> void: subtitles.text += text + " ")
	npc.failed.connect(func(message: String) -> void: status.text = "Error: " + message)
	player_line.text_submitted.connect(_on_player_line)


func _on_player_line(text: String) -> void:
	if text.strip_edges() == "":
		return
	player_line.clear()
	npc.say(text)  # a turn still speaking is cut off: the player interrupted


func _process(_delta: float) -> void:
	mouth.value = npc.mouth_open
