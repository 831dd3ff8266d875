@tool
extends EditorPlugin
## Registers the ParleyRuntime autoload and the parley/config_path project setting.

const AUTOLOAD := "ParleyRuntime"
const CONFIG_SETTING := "parley/config_path"


func _enter_tree() -> void:
	add_autoload_singleton(AUTOLOAD, "res://addons/parley/parley_runtime.gd")
	if not ProjectSettings.has_setting(CONFIG_SETTING):
		ProjectSettings.set_setting(CONFIG_SETTING, "")
	ProjectSettings.set_initial_value(CONFIG_SETTING, "")
	(
		ProjectSettings
		. add_property_info(
			{
				"name": CONFIG_SETTING,
				"type": TYPE_STRING,
				"hint": PROPERTY_HINT_FILE,
				"hint_string": "*.json,*.toml",
			}
		)
	)


func _exit_tree() -> void:
	remove_autoload_singleton(AUTOLOAD)
