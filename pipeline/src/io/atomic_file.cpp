// Atomic output files: see atomic_file.hpp.
#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace cvpipe::io {

namespace fs = std::filesystem;

Status ensure_folder(const fs::path& dir) {
  if (dir.empty()) return {};
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return {};
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    if (fs::exists(dir)) return Status::io("cannot create folder '" + dir.string() + "': a file with that name exists");
    return Status::io("cannot create folder '" + dir.string() + "': " + ec.message());
  }
  return {};
}

fs::path temp_path_for(const fs::path& final_path) {
  static std::atomic<unsigned long> counter{0};
  const std::string name = "." + final_path.stem().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                           std::to_string(counter.fetch_add(1)) + final_path.extension().string();
  return final_path.parent_path() / name;
}

fs::path partial_path_for(const fs::path& final_path) {
  return final_path.parent_path() / (final_path.stem().string() + ".partial" + final_path.extension().string());
}

Status check_writable(const fs::path& final_path) {
  std::error_code ec;
  if (fs::is_directory(final_path, ec))
    return Status::io("cannot write '" + final_path.string() + "': it is a folder");
  const fs::path probe = temp_path_for(final_path);
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const fs::path dir = final_path.has_parent_path() ? final_path.parent_path() : fs::path(".");
    return Status::io("cannot write '" + final_path.string() + "': cannot create files in '" + dir.string() +
                      "': " + std::strerror(errno));
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return {};
}

Status commit_file(const fs::path& temp, const fs::path& final_path) {
  std::error_code ec;
  fs::rename(temp, final_path, ec);
  if (ec) {
    std::error_code dir_ec;
    const std::string why = fs::is_directory(final_path, dir_ec) ? std::string("a folder has that name") : ec.message();
    fs::remove(temp, ec);
    return Status::io("cannot rename '" + temp.string() + "' to '" + final_path.string() + "': " + why);
  }
  return {};
}

Status write_file_atomic(const fs::path& final_path, const void* data, std::size_t size) {
  const fs::path temp = temp_path_for(final_path);
  std::FILE* f = std::fopen(temp.c_str(), "wb");
  if (!f) return Status::io("cannot write '" + final_path.string() + "': " + std::strerror(errno));
  const bool written = std::fwrite(data, 1, size, f) == size;
  const int err = errno;
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) {
    std::error_code ec;
    fs::remove(temp, ec);
    return Status::io("cannot write '" + final_path.string() + "': " + std::strerror(written ? errno : err));
  }
  return commit_file(temp, final_path);
}

}  // namespace cvpipe::io
