#pragma once
// The web GUI keys (gui_bind, gui_bind_port, gui_tls_cert, gui_tls_key, gui_session_hours,
// gui_number_index_calls):
// parsing used by apply_setting. docs/GUI.md describes the GUI.
#include <optional>
#include <string>
#include <string_view>

#include "config/settings.hpp"

namespace voxmon::config {

bool is_gui_key(std::string_view lower_key);
// Applies a GUI key; known_key = false when `lower_key` is not one of them.
std::optional<std::string> apply_gui_setting(settings& s, std::string_view lower_key,
                                             std::string_view value, bool& known_key);

bool is_gui(const settings& s);  // gui_bind is set
// Problems of the GUI keys taken together (a certificate without its key ...); "" when fine.
std::string check_gui_settings(const settings& s);

}  // namespace voxmon::config
