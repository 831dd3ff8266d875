// Parley's Godot 4 extension, written against the raw GDExtension C interface (godot-cpp cannot be
// built here: it needs extension_api.json). It registers three classes:
//
//   Parley                      static methods over libparley's C ABI for GDScript (init, voices,
//                               turns, events, level); the node logic lives in GDScript.
//   ParleyAudioStream           an AudioStream bound to a voice id; hands out playbacks.
//   ParleyAudioStreamPlayback   _mix() pulls the voice straight into Godot's AudioFrame buffer on
//                               the audio thread: no GDScript, no allocation, silence on underrun.
//
// Interface functions are fetched by name through get_proc_address; virtuals are overridden by
// name; Strings and StringNames are built with the interface's constructors. Nothing here needs
// the per-method hashes of extension_api.json.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gdextension_interface.h"
#include "mix.hpp"
#include "parley.h"

#define EXPORT extern "C" __attribute__((visibility("default")))

namespace parley_godot {
namespace {

// ---- the interface functions we use --------------------------------------------------------

struct Api {
    GDExtensionClassLibraryPtr library;
    GDExtensionInterfaceClassdbRegisterExtensionClass3 register_class;
    GDExtensionInterfaceClassdbRegisterExtensionClassMethod register_method;
    GDExtensionInterfaceClassdbRegisterExtensionClassProperty register_property;
    GDExtensionInterfaceClassdbRegisterExtensionClassSignal register_signal;
    GDExtensionInterfaceClassdbUnregisterExtensionClass unregister_class;
    GDExtensionInterfaceClassdbConstructObject construct_object;
    GDExtensionInterfaceObjectSetInstance object_set_instance;
    GDExtensionInterfaceRefSetObject ref_set_object;
    GDExtensionInterfaceStringNameNewWithUtf8Chars string_name_new;
    GDExtensionInterfaceStringNewWithUtf8Chars string_new;
    GDExtensionInterfaceStringToUtf8Chars string_to_utf8;
    GDExtensionInterfaceVariantGetPtrDestructor get_destructor;
    GDExtensionInterfaceVariantGetPtrOperatorEvaluator get_operator;
    GDExtensionInterfaceGetVariantFromTypeConstructor variant_from;
    GDExtensionInterfaceGetVariantToTypeConstructor variant_to;
    GDExtensionInterfaceVariantCall variant_call;
    GDExtensionInterfaceVariantDestroy variant_destroy;
    GDExtensionPtrDestructor destroy_string;
    GDExtensionPtrDestructor destroy_string_name;
    GDExtensionPtrOperatorEvaluator string_name_equal;
} api;

template <typename T>
bool load(GDExtensionInterfaceGetProcAddress get, const char *name, T &out) {
    out = reinterpret_cast<T>(reinterpret_cast<void *>(get(name)));
    return out != nullptr;
}

// Opaque Godot values: a String/StringName is one pointer wide, a Variant 24 bytes (64-bit).
struct StringName {
    alignas(8) uint8_t opaque[8];
    explicit StringName(const char *s) { api.string_name_new(opaque, s); }
    ~StringName() { api.destroy_string_name(opaque); }
    StringName(const StringName &) = delete;
    StringName &operator=(const StringName &) = delete;
    bool operator==(GDExtensionConstStringNamePtr other) const {
        GDExtensionBool equal = 0;
        api.string_name_equal(opaque, other, &equal);
        return equal != 0;
    }
};
struct Variant {
    alignas(8) uint8_t opaque[24];
};

std::string to_utf8(GDExtensionConstStringPtr s) {
    const GDExtensionInt n = api.string_to_utf8(s, nullptr, 0);
    std::string out(static_cast<size_t>(n), '\0');
    if (n > 0) api.string_to_utf8(s, &out[0], n);
    return out;
}

// ---- values crossing into GDScript: int, float, String ------------------------------------

enum class Kind { None, Int, Float, Str };

struct Value {
    Kind kind = Kind::None;
    int64_t i = 0;
    double f = 0.0;
    std::string s;
    static Value of(int64_t v) { Value r; r.kind = Kind::Int; r.i = v; return r; }
    static Value of_float(double v) { Value r; r.kind = Kind::Float; r.f = v; return r; }
    static Value of(std::string v) { Value r; r.kind = Kind::Str; r.s = std::move(v); return r; }
};

GDExtensionVariantType variant_type(Kind k) {
    switch (k) {
        case Kind::Int: return GDEXTENSION_VARIANT_TYPE_INT;
        case Kind::Float: return GDEXTENSION_VARIANT_TYPE_FLOAT;
        case Kind::Str: return GDEXTENSION_VARIANT_TYPE_STRING;
        default: return GDEXTENSION_VARIANT_TYPE_NIL;
    }
}

using Impl = Value (*)(void *instance, const std::vector<Value> &args);

struct Method {
    const char *name;
    Impl impl;
    Kind ret;
    std::vector<Kind> args;
    std::vector<const char *> arg_names;
    bool is_static;
};

// Pointer-call encoding: int64_t*, double*, String* in; the same out (String assigned in place).
void ptrcall(void *userdata, GDExtensionClassInstancePtr instance, const GDExtensionConstTypePtr *args, GDExtensionTypePtr r_ret) {
    const Method &m = *static_cast<const Method *>(userdata);
    std::vector<Value> values(m.args.size());
    for (size_t i = 0; i < m.args.size(); ++i) {
        values[i].kind = m.args[i];
        if (m.args[i] == Kind::Int) values[i].i = *static_cast<const int64_t *>(args[i]);
        if (m.args[i] == Kind::Float) values[i].f = *static_cast<const double *>(args[i]);
        if (m.args[i] == Kind::Str) values[i].s = to_utf8(args[i]);
    }
    const Value r = m.impl(instance, values);
    if (!r_ret) return;
    if (m.ret == Kind::Int) *static_cast<int64_t *>(r_ret) = r.i;
    if (m.ret == Kind::Float) *static_cast<double *>(r_ret) = r.f;
    if (m.ret == Kind::Str) {
        api.destroy_string(r_ret);
        api.string_new(r_ret, r.s.c_str());
    }
}

// Variant-call encoding (GDScript's dynamic calls): convert each Variant, then as above.
void call(void *userdata, GDExtensionClassInstancePtr instance, const GDExtensionConstVariantPtr *args, GDExtensionInt count,
          GDExtensionVariantPtr r_return, GDExtensionCallError *r_error) {
    const Method &m = *static_cast<const Method *>(userdata);
    r_error->error = GDEXTENSION_CALL_OK;
    if (count != static_cast<GDExtensionInt>(m.args.size())) {
        r_error->error = count < static_cast<GDExtensionInt>(m.args.size()) ? GDEXTENSION_CALL_ERROR_TOO_FEW_ARGUMENTS : GDEXTENSION_CALL_ERROR_TOO_MANY_ARGUMENTS;
        r_error->expected = static_cast<int32_t>(m.args.size());
        return;
    }
    std::vector<Value> values(m.args.size());
    for (size_t i = 0; i < m.args.size(); ++i) {
        values[i].kind = m.args[i];
        GDExtensionVariantPtr v = const_cast<GDExtensionVariantPtr>(args[i]);
        if (m.args[i] == Kind::Int) api.variant_to(GDEXTENSION_VARIANT_TYPE_INT)(&values[i].i, v);
        if (m.args[i] == Kind::Float) api.variant_to(GDEXTENSION_VARIANT_TYPE_FLOAT)(&values[i].f, v);
        if (m.args[i] == Kind::Str) {
            alignas(8) uint8_t str[8];
            api.variant_to(GDEXTENSION_VARIANT_TYPE_STRING)(str, v);
            values[i].s = to_utf8(str);
            api.destroy_string(str);
        }
    }
    Value r = m.impl(instance, values);
    if (m.ret == Kind::Int) api.variant_from(GDEXTENSION_VARIANT_TYPE_INT)(r_return, &r.i);
    if (m.ret == Kind::Float) api.variant_from(GDEXTENSION_VARIANT_TYPE_FLOAT)(r_return, &r.f);
    if (m.ret == Kind::Str) {
        alignas(8) uint8_t str[8];
        api.string_new(str, r.s.c_str());
        api.variant_from(GDEXTENSION_VARIANT_TYPE_STRING)(r_return, str);
        api.destroy_string(str);
    }
}

void register_methods(const char *class_name, std::vector<Method> &methods) {
    StringName cls(class_name);
    for (Method &m : methods) {
        StringName name(m.name);
        std::vector<StringName *> arg_names;
        std::vector<GDExtensionPropertyInfo> infos;
        StringName empty("");
        alignas(8) uint8_t hint[8];
        api.string_new(hint, "");
        for (size_t i = 0; i < m.args.size(); ++i) {
            arg_names.push_back(new StringName(m.arg_names[i]));
            infos.push_back(GDExtensionPropertyInfo{variant_type(m.args[i]), arg_names.back()->opaque, empty.opaque, 0, hint, 6});
        }
        StringName ret_name("");
        GDExtensionPropertyInfo ret_info{variant_type(m.ret), ret_name.opaque, empty.opaque, 0, hint, 6};
        std::vector<GDExtensionClassMethodArgumentMetadata> meta(m.args.size(), GDEXTENSION_METHOD_ARGUMENT_METADATA_NONE);
        GDExtensionClassMethodInfo info{};
        info.name = name.opaque;
        info.method_userdata = &m;
        info.call_func = call;
        info.ptrcall_func = ptrcall;
        info.method_flags = m.is_static ? GDEXTENSION_METHOD_FLAG_STATIC : GDEXTENSION_METHOD_FLAGS_DEFAULT;
        info.has_return_value = m.ret != Kind::None;
        info.return_value_info = m.ret != Kind::None ? &ret_info : nullptr;
        info.return_value_metadata = GDEXTENSION_METHOD_ARGUMENT_METADATA_NONE;
        info.argument_count = static_cast<uint32_t>(m.args.size());
        info.arguments_info = infos.data();
        info.arguments_metadata = meta.data();
        api.register_method(api.library, cls.opaque, &info);
        for (StringName *n : arg_names) delete n;
        api.destroy_string(hint);
    }
}

// ---- Parley: the C ABI for GDScript ---------------------------------------------------------

struct LastEvent {
    int64_t type = 0, turn = 0, frame = 0;
    std::string text;
};
std::mutex g_events_mutex;
std::unordered_map<uint32_t, LastEvent> g_last_event;  // main thread's view, per voice
std::atomic<float> g_levels[256];                      // written by _mix, read by get_level

parley_voice voice_of(int64_t id) { return parley_voice{static_cast<uint32_t>(id)}; }

std::vector<Method> g_parley_methods = {
    {"init", [](void *, const std::vector<Value> &a) {
         parley_init_params p = parley_default_init_params();
         p.config = a[0].s.empty() ? nullptr : a[0].s.c_str();
         return Value::of(static_cast<int64_t>(parley_init(&p)));
     }, Kind::Int, {Kind::Str}, {"config"}, true},
    {"shutdown", [](void *, const std::vector<Value> &) { parley_shutdown(); return Value(); }, Kind::None, {}, {}, true},
    {"create_voice", [](void *, const std::vector<Value> &a) {
         parley_voice_params p = parley_default_voice_params();
         p.sample_rate = static_cast<int32_t>(a[0].i);
         p.channels = static_cast<int32_t>(a[1].i);
         p.persona = a[2].s.empty() ? nullptr : a[2].s.c_str();
         p.tts_voice = a[3].s.empty() ? nullptr : a[3].s.c_str();
         parley_voice v{0};
         const parley_status s = parley_voice_create(&p, &v);
         return Value::of(s == PARLEY_OK ? static_cast<int64_t>(v.id) : static_cast<int64_t>(s));
     }, Kind::Int, {Kind::Int, Kind::Int, Kind::Str, Kind::Str}, {"sample_rate", "channels", "persona", "tts_voice"}, true},
    {"destroy_voice", [](void *, const std::vector<Value> &a) {
         {
             std::lock_guard<std::mutex> lock(g_events_mutex);
             g_last_event.erase(static_cast<uint32_t>(a[0].i));
         }
         return Value::of(static_cast<int64_t>(parley_voice_destroy(voice_of(a[0].i))));
     }, Kind::Int, {Kind::Int}, {"voice"}, true},
    {"say", [](void *, const std::vector<Value> &a) {
         uint64_t turn = 0;
         const parley_status s = parley_turn_start(voice_of(a[0].i), a[1].s.c_str(), &turn);
         return Value::of(s == PARLEY_OK ? static_cast<int64_t>(turn) : static_cast<int64_t>(s));
     }, Kind::Int, {Kind::Int, Kind::Str}, {"voice", "player_text"}, true},
    {"speak", [](void *, const std::vector<Value> &a) {
         uint64_t turn = 0;
         const parley_status s = parley_speak(voice_of(a[0].i), a[1].s.c_str(), &turn);
         return Value::of(s == PARLEY_OK ? static_cast<int64_t>(turn) : static_cast<int64_t>(s));
     }, Kind::Int, {Kind::Int, Kind::Str}, {"voice", "line"}, true},
    {"cancel", [](void *, const std::vector<Value> &a) {
         return Value::of(static_cast<int64_t>(parley_turn_cancel(voice_of(a[0].i))));
     }, Kind::Int, {Kind::Int}, {"voice"}, true},
    // poll_event returns the type (0: none, <0: status); the event's fields are then read with
    // event_turn/event_frame/event_text, which keeps every value a plain int or String.
    {"poll_event", [](void *, const std::vector<Value> &a) {
         parley_event ev;
         const int32_t got = parley_poll_event(voice_of(a[0].i), &ev);
         if (got != 1) return Value::of(static_cast<int64_t>(got));
         std::lock_guard<std::mutex> lock(g_events_mutex);
         LastEvent &last = g_last_event[static_cast<uint32_t>(a[0].i)];
         last = LastEvent{ev.type, static_cast<int64_t>(ev.turn), ev.frame, ev.text};
         return Value::of(static_cast<int64_t>(ev.type));
     }, Kind::Int, {Kind::Int}, {"voice"}, true},
    {"event_turn", [](void *, const std::vector<Value> &a) {
         std::lock_guard<std::mutex> lock(g_events_mutex);
         return Value::of(g_last_event[static_cast<uint32_t>(a[0].i)].turn);
     }, Kind::Int, {Kind::Int}, {"voice"}, true},
    {"event_frame", [](void *, const std::vector<Value> &a) {
         std::lock_guard<std::mutex> lock(g_events_mutex);
         return Value::of(g_last_event[static_cast<uint32_t>(a[0].i)].frame);
     }, Kind::Int, {Kind::Int}, {"voice"}, true},
    {"event_text", [](void *, const std::vector<Value> &a) {
         std::lock_guard<std::mutex> lock(g_events_mutex);
         return Value::of(g_last_event[static_cast<uint32_t>(a[0].i)].text);
     }, Kind::Str, {Kind::Int}, {"voice"}, true},
    {"get_level", [](void *, const std::vector<Value> &a) {
         return Value::of_float(g_levels[static_cast<uint32_t>(a[0].i) & 0xFF].load(std::memory_order_relaxed));
     }, Kind::Float, {Kind::Int}, {"voice"}, true},
    {"last_error", [](void *, const std::vector<Value> &) { return Value::of(std::string(parley_last_error())); }, Kind::Str, {}, {}, true},
    {"status_string", [](void *, const std::vector<Value> &a) {
         return Value::of(std::string(parley_status_string(static_cast<parley_status>(a[0].i))));
     }, Kind::Str, {Kind::Int}, {"status"}, true},
    {"api_version", [](void *, const std::vector<Value> &) { return Value::of(static_cast<int64_t>(parley_api_version())); }, Kind::Int, {}, {}, true},
};

// ---- ParleyAudioStream / ParleyAudioStreamPlayback -----------------------------------------

struct StreamInstance {
    GDExtensionObjectPtr owner;
    int64_t voice_id = 0;
};

struct PlaybackInstance {
    GDExtensionObjectPtr owner;
    int64_t voice_id = 0;
    int channels = 2;
    std::atomic<bool> playing{false};
    std::atomic<int64_t> mixed{0};
};

int32_t pull_voice(void *voice, float *out, int32_t frames) {
    return parley_pull(parley_voice{static_cast<uint32_t>(reinterpret_cast<uintptr_t>(voice))}, out, frames);
}

// What godot-cpp's memnew does for an extension class: build the engine parent, attach ours.
PlaybackInstance *new_playback() {
    StringName parent("AudioStreamPlayback"), cls("ParleyAudioStreamPlayback");
    GDExtensionObjectPtr obj = api.construct_object(parent.opaque);
    auto *inst = new PlaybackInstance{obj};
    api.object_set_instance(obj, cls.opaque, inst);
    return inst;
}
GDExtensionObjectPtr create_playback(void *) { return new_playback()->owner; }
// Godot may release a playback on the audio thread: freeing is a plain delete, no joins, no calls.
void free_playback(void *, GDExtensionClassInstancePtr inst) { delete static_cast<PlaybackInstance *>(inst); }

// _instantiate_playback() -> Ref<AudioStreamPlayback>: the Ref travels as a GDExtensionRefPtr.
void stream_instantiate_playback(GDExtensionClassInstancePtr self, const GDExtensionConstTypePtr *, GDExtensionTypePtr r_ret) {
    auto *stream = static_cast<StreamInstance *>(self);
    PlaybackInstance *pb = new_playback();
    pb->voice_id = stream->voice_id;
    parley_voice_params p;
    pb->channels = parley_voice_get_params(voice_of(stream->voice_id), &p) == PARLEY_OK ? p.channels : 2;
    api.ref_set_object(r_ret, pb->owner);
}
void stream_get_length(GDExtensionClassInstancePtr, const GDExtensionConstTypePtr *, GDExtensionTypePtr r_ret) {
    *static_cast<double *>(r_ret) = 0.0;  // endless: a voice streams as long as it lives
}
void stream_is_monophonic(GDExtensionClassInstancePtr, const GDExtensionConstTypePtr *, GDExtensionTypePtr r_ret) {
    *static_cast<GDExtensionBool *>(r_ret) = 1;  // one playback per voice: two would split its frames
}

void playback_start(GDExtensionClassInstancePtr self, const GDExtensionConstTypePtr *, GDExtensionTypePtr) {
    static_cast<PlaybackInstance *>(self)->playing.store(true);
}
void playback_stop(GDExtensionClassInstancePtr self, const GDExtensionConstTypePtr *, GDExtensionTypePtr) {
    static_cast<PlaybackInstance *>(self)->playing.store(false);
}
void playback_is_playing(GDExtensionClassInstancePtr self, const GDExtensionConstTypePtr *, GDExtensionTypePtr r_ret) {
    *static_cast<GDExtensionBool *>(r_ret) = static_cast<PlaybackInstance *>(self)->playing.load() ? 1 : 0;
}
void playback_position(GDExtensionClassInstancePtr self, const GDExtensionConstTypePtr *, GDExtensionTypePtr r_ret) {
    *static_cast<double *>(r_ret) = static_cast<double>(static_cast<PlaybackInstance *>(self)->mixed.load());
}
void playback_seek(GDExtensionClassInstancePtr, const GDExtensionConstTypePtr *, GDExtensionTypePtr) {}  // live audio: no seeking
void playback_loop_count(GDExtensionClassInstancePtr, const GDExtensionConstTypePtr *, GDExtensionTypePtr r_ret) {
    *static_cast<int64_t *>(r_ret) = 0;
}

// _mix(AudioFrame *buffer, float rate_scale, int frames) -> int, on Godot's audio thread.
void playback_mix(GDExtensionClassInstancePtr self, const GDExtensionConstTypePtr *args, GDExtensionTypePtr r_ret) {
    auto *pb = static_cast<PlaybackInstance *>(self);
    AudioFrame *buffer = *static_cast<AudioFrame *const *>(args[0]);
    const auto frames = static_cast<int32_t>(*static_cast<const int64_t *>(args[2]));
    void *voice = reinterpret_cast<void *>(static_cast<uintptr_t>(static_cast<uint32_t>(pb->voice_id)));
    const MixResult r = mix(pull_voice, voice, pb->channels, buffer, frames);
    g_levels[static_cast<uint32_t>(pb->voice_id) & 0xFF].store(r.rms, std::memory_order_relaxed);
    pb->mixed.fetch_add(frames, std::memory_order_relaxed);
    *static_cast<int64_t *>(r_ret) = frames;  // always full: silence keeps the player alive between turns
}

struct Virtual {
    const char *name;
    GDExtensionClassCallVirtual fn;
};
const Virtual kStreamVirtuals[] = {
    {"_instantiate_playback", stream_instantiate_playback},
    {"_get_length", stream_get_length},
    {"_is_monophonic", stream_is_monophonic},
};
const Virtual kPlaybackVirtuals[] = {
    {"_start", playback_start}, {"_stop", playback_stop}, {"_is_playing", playback_is_playing},
    {"_mix", playback_mix}, {"_get_playback_position", playback_position}, {"_seek", playback_seek},
    {"_get_loop_count", playback_loop_count},
};

template <size_t N>
GDExtensionClassCallVirtual find_virtual(const Virtual (&table)[N], GDExtensionConstStringNamePtr name) {
    for (const Virtual &v : table) {
        StringName candidate(v.name);
        if (candidate == name) return v.fn;
    }
    return nullptr;
}

GDExtensionClassCallVirtual stream_virtual(void *, GDExtensionConstStringNamePtr name) { return find_virtual(kStreamVirtuals, name); }
GDExtensionClassCallVirtual playback_virtual(void *, GDExtensionConstStringNamePtr name) { return find_virtual(kPlaybackVirtuals, name); }

GDExtensionObjectPtr create_stream(void *) {
    StringName parent("AudioStream"), cls("ParleyAudioStream");
    GDExtensionObjectPtr obj = api.construct_object(parent.opaque);
    auto *inst = new StreamInstance{obj};
    api.object_set_instance(obj, cls.opaque, inst);
    return obj;
}
void free_stream(void *, GDExtensionClassInstancePtr inst) { delete static_cast<StreamInstance *>(inst); }

std::vector<Method> g_stream_methods = {
    {"set_voice_id", [](void *self, const std::vector<Value> &a) {
         auto *stream = static_cast<StreamInstance *>(self);
         stream->voice_id = a[0].i;
         // emit_signal by name through a Variant call: no method hash needed.
         Variant self_v, name_v, id_v, ret;
         GDExtensionObjectPtr owner = stream->owner;
         api.variant_from(GDEXTENSION_VARIANT_TYPE_OBJECT)(self_v.opaque, &owner);
         StringName signal("voice_changed"), method("emit_signal");
         api.variant_from(GDEXTENSION_VARIANT_TYPE_STRING_NAME)(name_v.opaque, signal.opaque);
         int64_t id = a[0].i;
         api.variant_from(GDEXTENSION_VARIANT_TYPE_INT)(id_v.opaque, &id);
         GDExtensionConstVariantPtr args[] = {name_v.opaque, id_v.opaque};
         GDExtensionCallError err{};
         api.variant_call(self_v.opaque, method.opaque, args, 2, ret.opaque, &err);
         api.variant_destroy(ret.opaque);
         api.variant_destroy(id_v.opaque);
         api.variant_destroy(name_v.opaque);
         api.variant_destroy(self_v.opaque);
         return Value();
     }, Kind::None, {Kind::Int}, {"voice_id"}, false},
    {"get_voice_id", [](void *self, const std::vector<Value> &) { return Value::of(static_cast<StreamInstance *>(self)->voice_id); },
     Kind::Int, {}, {}, false},
};

void register_class(const char *name, const char *parent, bool abstract, GDExtensionClassCreateInstance create,
                    GDExtensionClassFreeInstance free_fn, GDExtensionClassGetVirtual get_virtual) {
    StringName cls(name), base(parent);
    GDExtensionClassCreationInfo3 info{};
    info.is_abstract = abstract;
    info.is_exposed = 1;
    info.create_instance_func = create;
    info.free_instance_func = free_fn;
    info.get_virtual_func = get_virtual;
    api.register_class(api.library, cls.opaque, base.opaque, &info);
}

GDExtensionObjectPtr no_instance(void *) { return nullptr; }  // Parley is a namespace of static methods
void no_free(void *, GDExtensionClassInstancePtr) {}
GDExtensionClassCallVirtual no_virtual(void *, GDExtensionConstStringNamePtr) { return nullptr; }

void initialize(void *, GDExtensionInitializationLevel level) {
    if (level != GDEXTENSION_INITIALIZATION_SCENE) return;
    register_class("Parley", "Object", true, no_instance, no_free, no_virtual);
    register_methods("Parley", g_parley_methods);
    register_class("ParleyAudioStream", "AudioStream", false, create_stream, free_stream, stream_virtual);
    register_methods("ParleyAudioStream", g_stream_methods);
    {
        StringName cls("ParleyAudioStream"), prop("voice_id"), empty(""), setter("set_voice_id"), getter("get_voice_id");
        alignas(8) uint8_t hint[8];
        api.string_new(hint, "");
        GDExtensionPropertyInfo info{GDEXTENSION_VARIANT_TYPE_INT, prop.opaque, empty.opaque, 0, hint, 6};
        api.register_property(api.library, cls.opaque, &info, setter.opaque, getter.opaque);
        StringName signal("voice_changed");
        api.register_signal(api.library, cls.opaque, signal.opaque, &info, 1);
        api.destroy_string(hint);
    }
    register_class("ParleyAudioStreamPlayback", "AudioStreamPlayback", false, create_playback, free_playback, playback_virtual);
}

void deinitialize(void *, GDExtensionInitializationLevel level) {
    if (level != GDEXTENSION_INITIALIZATION_SCENE) return;
    for (const char *name : {"ParleyAudioStreamPlayback", "ParleyAudioStream", "Parley"}) {
        StringName cls(name);
        api.unregister_class(api.library, cls.opaque);
    }
    parley_shutdown();
}

}  // namespace
}  // namespace parley_godot

using namespace parley_godot;

// The entry symbol named in parley.gdextension.
EXPORT GDExtensionBool parley_library_init(GDExtensionInterfaceGetProcAddress get, GDExtensionClassLibraryPtr library,
                                           GDExtensionInitialization *init) {
    api.library = library;
    GDExtensionInterfaceVariantGetPtrDestructor get_destructor;
    GDExtensionInterfaceVariantGetPtrOperatorEvaluator get_operator;
    const bool ok =
        load(get, "classdb_register_extension_class3", api.register_class) &&
        load(get, "classdb_register_extension_class_method", api.register_method) &&
        load(get, "classdb_register_extension_class_property", api.register_property) &&
        load(get, "classdb_register_extension_class_signal", api.register_signal) &&
        load(get, "classdb_unregister_extension_class", api.unregister_class) &&
        load(get, "classdb_construct_object", api.construct_object) &&
        load(get, "object_set_instance", api.object_set_instance) &&
        load(get, "ref_set_object", api.ref_set_object) &&
        load(get, "string_name_new_with_utf8_chars", api.string_name_new) &&
        load(get, "string_new_with_utf8_chars", api.string_new) &&
        load(get, "string_to_utf8_chars", api.string_to_utf8) &&
        load(get, "variant_get_ptr_destructor", get_destructor) &&
        load(get, "variant_get_ptr_operator_evaluator", get_operator) &&
        load(get, "get_variant_from_type_constructor", api.variant_from) &&
        load(get, "get_variant_to_type_constructor", api.variant_to) &&
        load(get, "variant_call", api.variant_call) &&
        load(get, "variant_destroy", api.variant_destroy);
    if (!ok) return 0;  // an older Godot than 4.3: refuse to load rather than crash later
    api.destroy_string = get_destructor(GDEXTENSION_VARIANT_TYPE_STRING);
    api.destroy_string_name = get_destructor(GDEXTENSION_VARIANT_TYPE_STRING_NAME);
    api.string_name_equal = get_operator(GDEXTENSION_VARIANT_OP_EQUAL, GDEXTENSION_VARIANT_TYPE_STRING_NAME, GDEXTENSION_VARIANT_TYPE_STRING_NAME);
    init->initialize = initialize;
    init->deinitialize = deinitialize;
    init->userdata = nullptr;
    init->minimum_initialization_level = GDEXTENSION_INITIALIZATION_SCENE;
    return 1;
}
