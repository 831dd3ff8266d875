// A fake Godot 4.3 host: implements the part of gdextension_interface.h that Parley's extension
// uses, loads the extension the way Godot does (the library and entry symbol named in
// parley.gdextension, dlopen RTLD_LOCAL), checks what it registered, then plays a real turn by
// calling the registered methods with pointer-call encoding and the playback's _mix exactly as
// Godot's audio thread would. Usage: fake_godot_host <addons/parley folder>
#include <dlfcn.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gdextension_interface.h"

namespace {

int passed = 0, failed = 0;
#define CHECK(c)                                                                      \
    do {                                                                              \
        if (c) ++passed;                                                              \
        else { ++failed; std::fprintf(stderr, "%s:%d: FAILED %s\n", __FILE__, __LINE__, #c); } \
    } while (0)

// ---- fake value types: a String/StringName holds a std::string*; a Variant is tagged ----------
std::string &str(const void *p) { return **static_cast<std::string *const *>(p); }
void str_new(void *p, const char *s) { *static_cast<std::string **>(p) = new std::string(s); }
void str_destroy(void *p) { delete *static_cast<std::string **>(p); }

struct FakeVariant {
    int32_t type;
    int32_t pad;
    union { int64_t i; double f; void *p; };
    int64_t unused;
};
static_assert(sizeof(FakeVariant) == 24, "Godot's Variant is 24 bytes");

struct FakeObject {
    std::string engine_class;
    std::string extension_class;
    void *instance = nullptr;
};

struct MethodRec {
    GDExtensionClassMethodInfo info;
};
struct ClassRec {
    std::string parent;
    GDExtensionClassCreationInfo3 info;
    std::map<std::string, MethodRec> methods;
    std::set<std::string> properties, signals;
};
std::map<std::string, ClassRec> classes;
std::set<std::string> unregistered;
std::vector<std::string> variant_calls;

void string_name_new(GDExtensionUninitializedStringNamePtr d, const char *s) { str_new(d, s); }
void string_new(GDExtensionUninitializedStringPtr d, const char *s) { str_new(d, s); }
GDExtensionInt string_to_utf8(GDExtensionConstStringPtr s, char *out, GDExtensionInt max) {
    const std::string &v = str(s);
    if (out) std::memcpy(out, v.data(), std::min<size_t>(v.size(), static_cast<size_t>(max)));
    return static_cast<GDExtensionInt>(v.size());
}
void destroy_str(GDExtensionTypePtr p) { str_destroy(p); }
GDExtensionPtrDestructor get_destructor(GDExtensionVariantType t) {
    return (t == GDEXTENSION_VARIANT_TYPE_STRING || t == GDEXTENSION_VARIANT_TYPE_STRING_NAME) ? destroy_str : nullptr;
}
void string_name_equal(GDExtensionConstTypePtr a, GDExtensionConstTypePtr b, GDExtensionTypePtr r) {
    *static_cast<GDExtensionBool *>(r) = str(a) == str(b);
}
GDExtensionPtrOperatorEvaluator get_operator(GDExtensionVariantOperator op, GDExtensionVariantType a, GDExtensionVariantType b) {
    return (op == GDEXTENSION_VARIANT_OP_EQUAL && a == GDEXTENSION_VARIANT_TYPE_STRING_NAME && b == a) ? string_name_equal : nullptr;
}

template <GDExtensionVariantType T>
void from_type(GDExtensionUninitializedVariantPtr v, GDExtensionTypePtr x) {
    auto *fv = static_cast<FakeVariant *>(v);
    fv->type = T;
    if (T == GDEXTENSION_VARIANT_TYPE_INT) fv->i = *static_cast<int64_t *>(x);
    else if (T == GDEXTENSION_VARIANT_TYPE_FLOAT) fv->f = *static_cast<double *>(x);
    else if (T == GDEXTENSION_VARIANT_TYPE_OBJECT) fv->p = *static_cast<void **>(x);
    else fv->p = new std::string(str(x));  // String / StringName: the Variant owns a copy
}
template <GDExtensionVariantType T>
void to_type(GDExtensionUninitializedTypePtr x, GDExtensionVariantPtr v) {
    auto *fv = static_cast<FakeVariant *>(v);
    if (T == GDEXTENSION_VARIANT_TYPE_INT) *static_cast<int64_t *>(x) = fv->i;
    else if (T == GDEXTENSION_VARIANT_TYPE_FLOAT) *static_cast<double *>(x) = fv->f;
    else str_new(x, static_cast<std::string *>(fv->p)->c_str());
}
GDExtensionVariantFromTypeConstructorFunc variant_from(GDExtensionVariantType t) {
    switch (t) {
        case GDEXTENSION_VARIANT_TYPE_INT: return from_type<GDEXTENSION_VARIANT_TYPE_INT>;
        case GDEXTENSION_VARIANT_TYPE_FLOAT: return from_type<GDEXTENSION_VARIANT_TYPE_FLOAT>;
        case GDEXTENSION_VARIANT_TYPE_STRING: return from_type<GDEXTENSION_VARIANT_TYPE_STRING>;
        case GDEXTENSION_VARIANT_TYPE_STRING_NAME: return from_type<GDEXTENSION_VARIANT_TYPE_STRING_NAME>;
        case GDEXTENSION_VARIANT_TYPE_OBJECT: return from_type<GDEXTENSION_VARIANT_TYPE_OBJECT>;
        default: return nullptr;
    }
}
GDExtensionTypeFromVariantConstructorFunc variant_to(GDExtensionVariantType t) {
    switch (t) {
        case GDEXTENSION_VARIANT_TYPE_INT: return to_type<GDEXTENSION_VARIANT_TYPE_INT>;
        case GDEXTENSION_VARIANT_TYPE_FLOAT: return to_type<GDEXTENSION_VARIANT_TYPE_FLOAT>;
        case GDEXTENSION_VARIANT_TYPE_STRING: return to_type<GDEXTENSION_VARIANT_TYPE_STRING>;
        default: return nullptr;
    }
}
void variant_destroy(GDExtensionVariantPtr v) {
    auto *fv = static_cast<FakeVariant *>(v);
    if (fv->type == GDEXTENSION_VARIANT_TYPE_STRING || fv->type == GDEXTENSION_VARIANT_TYPE_STRING_NAME) delete static_cast<std::string *>(fv->p);
    fv->type = GDEXTENSION_VARIANT_TYPE_NIL;
}
void variant_call(GDExtensionVariantPtr self, GDExtensionConstStringNamePtr method, const GDExtensionConstVariantPtr *args,
                  GDExtensionInt argc, GDExtensionUninitializedVariantPtr ret, GDExtensionCallError *err) {
    std::string call = str(method);
    for (GDExtensionInt i = 0; i < argc; ++i) {
        auto *a = static_cast<const FakeVariant *>(args[i]);
        call += " " + (a->type == GDEXTENSION_VARIANT_TYPE_INT ? std::to_string(a->i) : *static_cast<std::string *>(a->p));
    }
    variant_calls.push_back(call);
    (void)self;
    static_cast<FakeVariant *>(ret)->type = GDEXTENSION_VARIANT_TYPE_NIL;
    err->error = GDEXTENSION_CALL_OK;
}

void register_class(GDExtensionClassLibraryPtr, GDExtensionConstStringNamePtr name, GDExtensionConstStringNamePtr parent,
                    const GDExtensionClassCreationInfo3 *info) {
    classes[str(name)] = ClassRec{str(parent), *info, {}, {}, {}};
}
void register_method(GDExtensionClassLibraryPtr, GDExtensionConstStringNamePtr cls, const GDExtensionClassMethodInfo *info) {
    classes[str(cls)].methods[str(info->name)] = MethodRec{*info};
}
void register_property(GDExtensionClassLibraryPtr, GDExtensionConstStringNamePtr cls, const GDExtensionPropertyInfo *info,
                       GDExtensionConstStringNamePtr, GDExtensionConstStringNamePtr) {
    classes[str(cls)].properties.insert(str(info->name));
}
void register_signal(GDExtensionClassLibraryPtr, GDExtensionConstStringNamePtr cls, GDExtensionConstStringNamePtr name,
                     const GDExtensionPropertyInfo *, GDExtensionInt) {
    classes[str(cls)].signals.insert(str(name));
}
void unregister_class(GDExtensionClassLibraryPtr, GDExtensionConstStringNamePtr name) { unregistered.insert(str(name)); }

GDExtensionObjectPtr construct_object(GDExtensionConstStringNamePtr cls) {
    auto it = classes.find(str(cls));
    if (it != classes.end()) return it->second.info.create_instance_func(it->second.info.class_userdata);
    auto *o = new FakeObject;
    o->engine_class = str(cls);
    return o;
}
void object_set_instance(GDExtensionObjectPtr o, GDExtensionConstStringNamePtr cls, GDExtensionClassInstancePtr inst) {
    static_cast<FakeObject *>(o)->extension_class = str(cls);
    static_cast<FakeObject *>(o)->instance = inst;
}
void ref_set_object(GDExtensionRefPtr ref, GDExtensionObjectPtr o) { *static_cast<void **>(ref) = o; }

std::map<std::string, void *> table() {
    return {
        {"classdb_register_extension_class3", (void *)register_class},
        {"classdb_register_extension_class_method", (void *)register_method},
        {"classdb_register_extension_class_property", (void *)register_property},
        {"classdb_register_extension_class_signal", (void *)register_signal},
        {"classdb_unregister_extension_class", (void *)unregister_class},
        {"classdb_construct_object", (void *)construct_object},
        {"object_set_instance", (void *)object_set_instance},
        {"ref_set_object", (void *)ref_set_object},
        {"string_name_new_with_utf8_chars", (void *)string_name_new},
        {"string_new_with_utf8_chars", (void *)string_new},
        {"string_to_utf8_chars", (void *)string_to_utf8},
        {"variant_get_ptr_destructor", (void *)get_destructor},
        {"variant_get_ptr_operator_evaluator", (void *)get_operator},
        {"get_variant_from_type_constructor", (void *)variant_from},
        {"get_variant_to_type_constructor", (void *)variant_to},
        {"variant_call", (void *)variant_call},
        {"variant_destroy", (void *)variant_destroy},
    };
}
std::set<std::string> asked_for;
GDExtensionInterfaceFunctionPtr get_proc_address(const char *name) {
    asked_for.insert(name);
    static const auto t = table();
    auto it = t.find(name);
    return it == t.end() ? nullptr : reinterpret_cast<GDExtensionInterfaceFunctionPtr>(it->second);
}

// ---- calling registered methods as Godot does (pointer-call encoding) ------------------------
struct Arg {
    int64_t i = 0;
    double f = 0;
    std::string *s = nullptr;  // a fake String
};
int64_t call_int(const std::string &cls, const std::string &method, void *instance, std::vector<Arg> args) {
    const auto &m = classes[cls].methods.at(method).info;
    std::vector<GDExtensionConstTypePtr> ptrs;
    for (Arg &a : args) ptrs.push_back(a.s ? static_cast<void *>(&a.s) : static_cast<void *>(&a.i));
    int64_t ret = 0;
    m.ptrcall_func(m.method_userdata, instance, ptrs.data(), &ret);
    return ret;
}
std::string call_string(const std::string &cls, const std::string &method, std::vector<Arg> args) {
    const auto &m = classes[cls].methods.at(method).info;
    std::vector<GDExtensionConstTypePtr> ptrs;
    for (Arg &a : args) ptrs.push_back(&a.i);
    std::string *ret = new std::string();  // an engine-side String the method assigns to
    m.ptrcall_func(m.method_userdata, nullptr, ptrs.data(), &ret);
    std::string out = *ret;
    delete ret;
    return out;
}
Arg S(const char *s) { Arg a; a.s = new std::string(s); return a; }
Arg I(int64_t i) { Arg a; a.i = i; return a; }

GDExtensionClassCallVirtual virtual_of(const std::string &cls, const char *name) {
    std::string *sn = new std::string(name);
    auto fn = classes[cls].info.get_virtual_func(classes[cls].info.class_userdata, &sn);
    delete sn;
    return fn;
}

std::string read_file(const std::string &path) {
    std::ifstream f(path);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
std::string ini_value(const std::string &text, const std::string &key) {
    const auto pos = text.find("\n" + key);
    if (pos == std::string::npos) return {};
    const auto q1 = text.find('"', pos), q2 = text.find('"', q1 + 1);
    return text.substr(q1 + 1, q2 - q1 - 1);
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) { std::fprintf(stderr, "usage: fake_godot_host <addons/parley>\n"); return 2; }
    const std::string addon = argv[1];
    const std::string manifest = read_file(addon + "/parley.gdextension");
    const std::string entry = ini_value(manifest, "entry_symbol");
    std::string lib = ini_value(manifest, "linux.x86_64");
    CHECK(entry == "parley_library_init");
    CHECK(lib.rfind("res://addons/parley/", 0) == 0);
    lib = addon + "/" + lib.substr(std::strlen("res://addons/parley/"));
    void *handle = dlopen(lib.c_str(), RTLD_NOW | RTLD_LOCAL);  // as Godot loads extensions
    if (!handle) { std::fprintf(stderr, "dlopen %s: %s\n", lib.c_str(), dlerror()); return 1; }
    auto init_fn = reinterpret_cast<GDExtensionInitializationFunction>(dlsym(handle, entry.c_str()));
    CHECK(init_fn != nullptr);
    GDExtensionInitialization init{};
    int library_token = 0;
    CHECK(init_fn(get_proc_address, &library_token, &init) == 1);
    CHECK(init.minimum_initialization_level == GDEXTENSION_INITIALIZATION_SCENE);
    for (int level = GDEXTENSION_INITIALIZATION_CORE; level <= GDEXTENSION_INITIALIZATION_EDITOR; ++level)
        init.initialize(init.userdata, static_cast<GDExtensionInitializationLevel>(level));

    // What was registered.
    CHECK(classes.count("Parley") && classes["Parley"].parent == "Object" && classes["Parley"].info.is_abstract);
    CHECK(classes.count("ParleyAudioStream") && classes["ParleyAudioStream"].parent == "AudioStream");
    CHECK(classes.count("ParleyAudioStreamPlayback") && classes["ParleyAudioStreamPlayback"].parent == "AudioStreamPlayback");
    for (const char *m : {"init", "shutdown", "create_voice", "destroy_voice", "say", "speak", "cancel", "poll_event",
                          "event_turn", "event_frame", "event_text", "get_level", "last_error", "status_string"}) {
        CHECK(classes["Parley"].methods.count(m) == 1);
        CHECK(classes["Parley"].methods[m].info.method_flags & GDEXTENSION_METHOD_FLAG_STATIC);
    }
    CHECK(classes["ParleyAudioStream"].methods.count("set_voice_id") && classes["ParleyAudioStream"].methods.count("get_voice_id"));
    CHECK(classes["ParleyAudioStream"].properties.count("voice_id"));
    CHECK(classes["ParleyAudioStream"].signals.count("voice_changed"));
    for (const char *v : {"_start", "_stop", "_is_playing", "_mix", "_get_playback_position", "_seek", "_get_loop_count"})
        CHECK(virtual_of("ParleyAudioStreamPlayback", v) != nullptr);
    CHECK(virtual_of("ParleyAudioStreamPlayback", "_not_a_virtual") == nullptr);
    CHECK(virtual_of("ParleyAudioStream", "_instantiate_playback") != nullptr);

    // A real turn, driven as GDScript and the mixer would.
    const char *config = std::getenv("PARLEY_TEST_CONFIG");
    CHECK(call_int("Parley", "init", nullptr, {S(config ? config : "")}) == 0);
    const int64_t voice = call_int("Parley", "create_voice", nullptr, {I(48000), I(2), S("You are a ferryman."), S("")});
    CHECK(voice > 0);
    CHECK(call_int("Parley", "create_voice", nullptr, {I(0), I(2), S(""), S("")}) == -1);  // INVALID_ARGUMENT
    CHECK(call_string("Parley", "last_error", {}).find("sample_rate") != std::string::npos);

    std::string *stream_class = new std::string("ParleyAudioStream");  // a fake StringName
    auto *stream_obj = static_cast<FakeObject *>(construct_object(&stream_class));
    delete stream_class;
    CHECK(stream_obj->extension_class == "ParleyAudioStream" && stream_obj->engine_class == "AudioStream");
    call_int("ParleyAudioStream", "set_voice_id", stream_obj->instance, {I(voice)});
    CHECK(call_int("ParleyAudioStream", "get_voice_id", stream_obj->instance, {}) == voice);
    CHECK(!variant_calls.empty() && variant_calls.back() == "emit_signal voice_changed " + std::to_string(voice));

    FakeObject *pb = nullptr;
    virtual_of("ParleyAudioStream", "_instantiate_playback")(stream_obj->instance, nullptr, &pb);
    CHECK(pb && pb->extension_class == "ParleyAudioStreamPlayback" && pb->engine_class == "AudioStreamPlayback");
    auto mix = virtual_of("ParleyAudioStreamPlayback", "_mix");
    double from = 0.0;
    const void *start_args[] = {&from};
    virtual_of("ParleyAudioStreamPlayback", "_start")(pb->instance, start_args, nullptr);
    GDExtensionBool playing = 0;
    virtual_of("ParleyAudioStreamPlayback", "_is_playing")(pb->instance, nullptr, &playing);
    CHECK(playing == 1);

    // Godot's _mix: AudioFrame* behind a pointer, rate_scale as double, frames as int64, int64 back.
    std::vector<float> frames(512 * 2, 7.0f);
    auto mix_once = [&](int64_t n) {
        float *buffer = frames.data();
        double rate_scale = 1.0;
        int64_t count = n, written = -1;
        const void *args[] = {&buffer, &rate_scale, &count};
        mix(pb->instance, args, &written);
        return written;
    };
    CHECK(mix_once(512) == 512);
    bool silent = true;
    for (float s : frames) silent = silent && s == 0.0f;
    CHECK(silent);  // nothing playing yet: silence, not garbage

    const int64_t turn = call_int("Parley", "say", nullptr, {I(voice), S("Will you take me across the river?")});
    CHECK(turn > 0);
    std::atomic<bool> stop{false};
    std::atomic<long> audible{0};
    double sumsq = 0;
    long samples = 0;
    std::thread audio([&] {
        while (!stop) {
            mix_once(512);
            for (float s : frames) { if (s != 0.0f) audible++; sumsq += s * s; ++samples; }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));  // faster than real time
        }
    });
    std::vector<std::string> texts;
    bool done = false, audio_started = false;
    double max_level = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (!done && std::chrono::steady_clock::now() < deadline) {
        int64_t type;
        while ((type = call_int("Parley", "poll_event", nullptr, {I(voice)})) > 0) {
            CHECK(call_int("Parley", "event_turn", nullptr, {I(voice)}) == turn);
            if (type == 2) texts.push_back(call_string("Parley", "event_text", {I(voice)}));
            if (type == 4) audio_started = true;
            if (type == 6 || type == 7 || type == 8) done = type == 6;
            if (type >= 6) break;
        }
        const auto &gl = classes["Parley"].methods.at("get_level").info;
        Arg v = I(voice);
        const void *a[] = {&v.i};
        double level = 0;
        gl.ptrcall_func(gl.method_userdata, nullptr, a, &level);
        max_level = std::max(max_level, level);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stop = true;
    audio.join();
    CHECK(done);
    CHECK(audio_started);
    CHECK(!texts.empty());
    CHECK(audible > 48000);  // over a second of non-silent samples reached Godot's buffer
    CHECK(max_level > 0.005);
    CHECK(mix_once(512) == 512);
    silent = true;
    for (float s : frames) silent = silent && s == 0.0f;
    CHECK(silent);  // after the turn: silence on underrun
    std::printf("heard: %s\n", [&] { std::string all; for (auto &t : texts) all += t + " "; return all; }().c_str());

    // Godot releases the playback (maybe on the audio thread), then unloads the extension.
    classes["ParleyAudioStreamPlayback"].info.free_instance_func(nullptr, pb->instance);
    classes["ParleyAudioStream"].info.free_instance_func(nullptr, stream_obj->instance);
    CHECK(call_int("Parley", "destroy_voice", nullptr, {I(voice)}) == 0);
    for (int level = GDEXTENSION_INITIALIZATION_EDITOR; level >= GDEXTENSION_INITIALIZATION_CORE; --level)
        init.deinitialize(init.userdata, static_cast<GDExtensionInitializationLevel>(level));
    CHECK(unregistered.count("Parley") && unregistered.count("ParleyAudioStream") && unregistered.count("ParleyAudioStreamPlayback"));
    for (const std::string &name : asked_for) CHECK(table().count(name) == 1);  // nothing asked for that we lack

    std::printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
