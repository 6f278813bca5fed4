// A check of a plugin file before dlopen: dlopen maps the file, and a file cut short (a half-copied
// or truncated .so) then dies with SIGBUS on first touch instead of failing. This reads only the
// ELF header and the program / section header tables, and refuses a file that is not a regular
// file, not an ELF shared object of this machine's class, byte order and architecture, or shorter
// than its headers say. Pure; no side effects.
#pragma once
#include <filesystem>
#include <string>

namespace cvpipe {

// "" when `file` looks like a complete shared object for this machine, else the reason (one
// phrase, e.g. "truncated: 40960 bytes, its headers need 81234").
std::string shared_object_problem(const std::filesystem::path& file);

}  // namespace cvpipe
