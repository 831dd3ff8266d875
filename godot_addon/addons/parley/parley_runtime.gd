extends Node
## Autoload: starts libparley once, on a background thread (loading models takes seconds and
## must not freeze the main thread), and tells voices when it is ready.

signal progress(message: String)
signal runtime_ready
signal failed(message: String)

const CONFIG_SETTING := "parley/config_path"

var is_ready := false
var _thread: Thread


func _ready() -> void:
	var config := ""
	var config_path: String = ProjectSettings.get_setting(CONFIG_SETTING, "")
	if config_path != "":
		config = ProjectSettings.globalize_path(config_path)
	progress.emit("loading voice and language models")
	_thread = Thread.new()
	_thread.start(_start_runtime.bind(config))


func _start_runtime(config: String) -> void:
	var status: int = Parley.init(config)
	# last_error is per thread: read it here, on the thread that called init.
	var message: String = "" if status == 0 else Parley.last_error()
	call_deferred("_on_started", status, message)


func _on_started(status: int, message: String) -> void:
	_thread.wait_to_finish()
	if status == 0:
		is_ready = true
		progress.emit("ready")
		runtime_ready.emit()
	else:
		failed.emit("Parley failed to start (%s): %s" % [Parley.status_string(status), message])


func _exit_tree() -> void:
	if _thread and _thread.is_started():
		_thread.wait_to_finish()
	Parley.shutdown()
