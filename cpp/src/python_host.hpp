// The bridge to the Python core: starting or joining the interpreter, calling `parley.runtime`,
// and turning Python exceptions into parley_status + message. Every function here takes the GIL
// itself; callers must not hold it.
#pragma once

#include <memory>
#include <string>

#include "parley.h"
#include "voice.hpp"

namespace parley::host {

struct Error {
    parley_status status = PARLEY_OK;
    std::string message;
};

Error start_interpreter(const char *python_home);
Error create_runtime(const char *config);
void destroy_runtime();
Error create_voice(const std::shared_ptr<VoiceState> &voice);
void release_voice(VoiceState &voice);  // cancels its turn and drops the Python objects
Error start_turn(const std::shared_ptr<VoiceState> &voice, const std::string &text, bool speak, uint64_t *turn);
Error cancel_turn(VoiceState &voice);
void set_log_callback(parley_log_callback callback, void *user_data);
void log(int32_t level, const std::string &message);

}  // namespace parley::host
