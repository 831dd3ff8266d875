// Runs the Python core inside the host process.
//
// A game engine is not a Python program: the first parley_init() starts an embedded CPython that
// finds the virtual environment libparley was installed into (its site-packages holds this very
// library), so the host sets no variable. A Python host (the cffi binding, the tests) already has
// an interpreter; then we join it. The interpreter is never finalised: numpy and friends cannot be
// loaded twice in one process, so parley_shutdown() stops Parley, not Python.
#include "python_host.hpp"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <pybind11/embed.h>
#include <pybind11/numpy.h>

namespace py = pybind11;

namespace parley::host {
namespace {

std::mutex g_log_mutex;
parley_log_callback g_log_callback = nullptr;
void *g_log_user = nullptr;

py::object *g_runtime = nullptr;  // parley.runtime.Runtime; only touched with the GIL held
bool g_types_registered = false;

bool file_exists(const std::string &path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}

std::string dirname(const std::string &path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

// The venv whose site-packages holds libparley: walk up from the library's own folder. The path is
// resolved first, so a symlink to it from a game's plugin folder still finds the venv.
std::string find_own_venv() {
    Dl_info info{};
    if (!dladdr(reinterpret_cast<void *>(&find_own_venv), &info) || !info.dli_fname) return {};
    char resolved[PATH_MAX];
    std::string dir = dirname(realpath(info.dli_fname, resolved) ? resolved : info.dli_fname);
    for (int up = 0; up < 6 && dir.size() > 1; ++up, dir = dirname(dir)) {
        if (file_exists(dir + "/pyvenv.cfg")) return dir;
    }
    return {};
}

// Hosts such as Godot dlopen extensions with RTLD_LOCAL, which hides libpython's symbols from the
// extension modules (numpy) that Python loads later. Re-opening it RTLD_GLOBAL fixes that.
void promote_libpython() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void *>(&Py_IsInitialized), &info) && info.dli_fname)
        dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
}

Error python_error(py::error_already_set &e) {
    Error err{PARLEY_ERROR_PYTHON, {}};
    try {
        err.message = py::str(e.type().attr("__name__")).cast<std::string>() + ": " + py::str(e.value()).cast<std::string>();
        py::module_ errors = py::module_::import("parley.errors");
        if (e.matches(errors.attr("ModelNotFound")) || e.matches(errors.attr("EngineError")))
            err.status = PARLEY_ERROR_MODEL;
        else if (e.matches(errors.attr("InvalidInput")) || e.matches(errors.attr("ConfigError")))
            err.status = PARLEY_ERROR_INVALID_ARGUMENT;
        else if (e.matches(PyExc_MemoryError))
            err.status = PARLEY_ERROR_OUT_OF_MEMORY;
    } catch (...) {
        if (err.message.empty()) err.message = e.what();
    }
    return err;
}

// Runs fn with the GIL, converting every exception into an Error.
template <typename Fn>
Error guarded(Fn &&fn) {
    try {
        py::gil_scoped_acquire gil;
        try {
            fn();
            return {};
        } catch (py::error_already_set &e) {
            return python_error(e);
        }
    } catch (const std::bad_alloc &) {
        return {PARLEY_ERROR_OUT_OF_MEMORY, "out of memory"};
    } catch (const std::exception &e) {
        return {PARLEY_ERROR_INTERNAL, e.what()};
    }
}

// What a turn writes into: the voice's ring and event queue. Holds the voice alive for as long
// as any Python thread still has the sink.
class VoiceSink {
public:
    explicit VoiceSink(std::shared_ptr<VoiceState> voice) : voice_(std::move(voice)) {}

    bool write_audio(uint64_t turn, py::array_t<float, py::array::c_style | py::array::forcecast> block) {
        const auto channels = static_cast<py::ssize_t>(voice_->channels);
        if (block.ndim() != 1 || block.shape(0) % channels != 0)
            throw py::value_error("audio block must be 1-D interleaved float32 with a whole number of frames");
        const float *data = block.data();
        const auto frames = static_cast<uint64_t>(block.shape(0) / channels);
        py::gil_scoped_release nogil;  // `block` stays referenced by this frame while we wait for room
        return voice_->stream.write(turn, data, frames);
    }
    void end_audio(uint64_t turn) { voice_->stream.end_turn(turn); }
    void cancel(uint64_t turn) { voice_->stream.cancel_through(turn); }
    void emit(py::object event) {
        voice_->push_event(event.attr("type").cast<int32_t>(), event.attr("turn").cast<uint64_t>(),
                           event.attr("t_us").cast<int64_t>(), event.attr("text").cast<std::string>());
    }

private:
    std::shared_ptr<VoiceState> voice_;
};

void register_types() {
    if (g_types_registered) return;
    static PyModuleDef def{PyModuleDef_HEAD_INIT, "parley_native", "libparley's objects", -1, nullptr, nullptr, nullptr, nullptr, nullptr};
    auto m = py::module_::create_extension_module("parley_native", nullptr, &def);
    py::class_<VoiceSink>(m, "VoiceSink")
        .def("write_audio", &VoiceSink::write_audio)
        .def("end_audio", &VoiceSink::end_audio)
        .def("cancel", &VoiceSink::cancel)
        .def("emit", &VoiceSink::emit);
    m.def("log", [](int32_t level, const std::string &message) { log(level, message); });
    py::module_::import("sys").attr("modules")["parley_native"] = m;
    g_types_registered = true;
}

}  // namespace

Error start_interpreter(const char *python_home) {
    static std::mutex start_mutex;
    std::lock_guard<std::mutex> lock(start_mutex);
    if (Py_IsInitialized()) return {};
    promote_libpython();
    const std::string venv = python_home && *python_home ? std::string(python_home) : find_own_venv();
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0;  // the game owns SIGINT and friends
    config.parse_argv = 0;
    if (!venv.empty()) {
        const std::string python = file_exists(venv + "/bin/python3") ? venv + "/bin/python3" : venv + "/bin/python";
        if (!file_exists(python)) {
            PyConfig_Clear(&config);
            return {PARLEY_ERROR_INVALID_ARGUMENT, "python_home " + venv + " has no bin/python3: pass the folder of a virtual environment where parley is installed"};
        }
        // Python's getpath reads pyvenv.cfg next to this program: sys.prefix and site-packages
        // become the venv's, exactly as if the venv's python had been started.
        PyStatus status = PyConfig_SetBytesString(&config, &config.program_name, python.c_str());
        if (PyStatus_Exception(status)) {
            PyConfig_Clear(&config);
            return {PARLEY_ERROR_INTERNAL, "cannot set the Python program name"};
        }
    }
    PyStatus status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status))
        return {PARLEY_ERROR_PYTHON, std::string("Python failed to start: ") + (status.err_msg ? status.err_msg : "unknown error")};
    PyEval_SaveThread();  // release the GIL: from now on every caller takes it when it needs it
    return {};
}

Error create_runtime(const char *config) {
    return guarded([&] {
        register_types();
        py::module_ runtime = py::module_::import("parley.runtime");
        py::object cfg = config ? py::object(py::str(config)) : py::object(py::none());
        py::object made = runtime.attr("Runtime")(cfg);
        g_runtime = new py::object(std::move(made));
        std::lock_guard<std::mutex> lock(g_log_mutex);
        runtime.attr("route_logs")(g_log_callback ? py::module_::import("parley_native").attr("log") : py::object(py::none()));
    });
}

void destroy_runtime() {
    guarded([&] {
        if (!g_runtime) return;
        g_runtime->attr("shutdown")();
        delete g_runtime;
        g_runtime = nullptr;
    });
}

Error create_voice(const std::shared_ptr<VoiceState> &voice) {
    return guarded([&] {
        py::object persona = voice->persona.empty() ? py::object(py::none()) : py::object(py::str(voice->persona));
        py::object tts_voice = voice->tts_voice.empty() ? py::object(py::none()) : py::object(py::str(voice->tts_voice));
        py::object made = g_runtime->attr("create_voice")(voice->sample_rate, voice->channels, persona, tts_voice);
        voice->py_voice = made.release().ptr();
    });
}

void release_voice(VoiceState &voice) {
    voice.stream.close();  // any writer still running returns at once
    guarded([&] {
        if (!voice.py_voice) return;
        py::object obj = py::reinterpret_steal<py::object>(static_cast<PyObject *>(voice.py_voice));
        voice.py_voice = nullptr;
        if (g_runtime) g_runtime->attr("cancel")(obj);
    });
}

Error start_turn(const std::shared_ptr<VoiceState> &voice, const std::string &text, bool speak, uint64_t *turn) {
    // Drop the old turn's audio before Python even runs: barge-in is heard at the next pull.
    voice->stream.cancel_through(voice->current_turn.load());
    const int64_t started_ns = std::chrono::steady_clock::now().time_since_epoch().count();
    return guarded([&] {
        py::object sink = py::cast(VoiceSink(voice));
        py::handle py_voice(static_cast<PyObject *>(voice->py_voice));
        py::object id = g_runtime->attr(speak ? "speak" : "start_turn")(py_voice, py::str(text), sink);
        *turn = id.cast<uint64_t>();
        voice->current_turn_start_ns.store(started_ns);
        voice->current_turn.store(*turn);
    });
}

Error cancel_turn(VoiceState &voice) {
    voice.stream.cancel_through(voice.current_turn.load());
    return guarded([&] { g_runtime->attr("cancel")(py::handle(static_cast<PyObject *>(voice.py_voice))); });
}

void set_log_callback(parley_log_callback callback, void *user_data) {
    {
        std::lock_guard<std::mutex> lock(g_log_mutex);
        g_log_callback = callback;
        g_log_user = user_data;
    }
    if (!Py_IsInitialized()) return;
    guarded([&] {
        if (!g_runtime) return;
        py::module_ runtime = py::module_::import("parley.runtime");
        runtime.attr("route_logs")(callback ? py::module_::import("parley_native").attr("log") : py::object(py::none()));
    });
}

void log(int32_t level, const std::string &message) {
    std::lock_guard<std::mutex> lock(g_log_mutex);
    if (g_log_callback) g_log_callback(level, message.c_str(), g_log_user);
}

}  // namespace parley::host
