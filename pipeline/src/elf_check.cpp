// Plugin file check before dlopen (see elf_check.hpp).
#include "elf_check.hpp"

#include <elf.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <vector>

namespace cvpipe {

namespace fs = std::filesystem;

namespace {

#if defined(__x86_64__)
constexpr std::uint16_t kMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr std::uint16_t kMachine = EM_AARCH64;
#else
constexpr std::uint16_t kMachine = EM_NONE;  // not checked
#endif

template <class T>
bool read_at(std::ifstream& in, std::uint64_t offset, T& out) {
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(reinterpret_cast<char*>(&out), sizeof(T));
  return static_cast<bool>(in);
}

}  // namespace

std::string shared_object_problem(const fs::path& file) {
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  if (!fs::is_regular_file(status)) return "not a regular file";
  const std::uint64_t size = fs::file_size(file, ec);
  if (ec) return "cannot read its size: " + ec.message();
  std::ifstream in(file, std::ios::binary);
  if (!in) return "cannot be opened for reading";
  Elf64_Ehdr eh{};
  if (size < sizeof(eh) || !read_at(in, 0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
    return "not an ELF file (invalid ELF header)";
  if (eh.e_ident[EI_CLASS] != ELFCLASS64) return "not a 64-bit ELF file (wrong ELF class)";
  if (eh.e_ident[EI_DATA] != ELFDATA2LSB) return "not a little-endian ELF file";
  if (eh.e_type != ET_DYN) return "not a shared object (ELF type " + std::to_string(eh.e_type) + ")";
  if (kMachine != EM_NONE && eh.e_machine != kMachine)
    return "built for another architecture (ELF machine " + std::to_string(eh.e_machine) + ")";
  std::uint64_t need = sizeof(eh);
  if (eh.e_phnum > 0) {
    if (eh.e_phentsize != sizeof(Elf64_Phdr)) return "malformed ELF program headers";
    need = std::max<std::uint64_t>(need, eh.e_phoff + std::uint64_t{eh.e_phnum} * eh.e_phentsize);
    if (need > size)
      return "truncated: " + std::to_string(size) + " bytes, its headers need " + std::to_string(need);
    for (std::uint16_t i = 0; i < eh.e_phnum; ++i) {
      Elf64_Phdr ph{};
      if (!read_at(in, eh.e_phoff + std::uint64_t{i} * eh.e_phentsize, ph)) return "unreadable ELF program header";
      if (ph.p_type == PT_LOAD) need = std::max<std::uint64_t>(need, ph.p_offset + ph.p_filesz);
    }
  }
  if (eh.e_shnum > 0) need = std::max<std::uint64_t>(need, eh.e_shoff + std::uint64_t{eh.e_shnum} * eh.e_shentsize);
  if (need > size) return "truncated: " + std::to_string(size) + " bytes, its headers need " + std::to_string(need);
  return "";
}

}  // namespace cvpipe
