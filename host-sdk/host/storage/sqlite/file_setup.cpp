// Directory and file creation with restrictive modes for the SQLite backend.
// SQLite gives the -wal and -shm files the mode of the database file.
#include "storage/sqlite/file_setup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace host::sqlite {
namespace {

Status errno_status(const std::string& what, const std::filesystem::path& path) {
  return Status::Unavailable(what + " " + path.string() + ": " + std::strerror(errno));
}

Status create_directories_0700(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> missing;
  std::error_code ec;
  for (auto p = dir; !p.empty() && !std::filesystem::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      return errno_status("cannot create directory", *it);
    }
    // mkdir honours the umask; chmod makes the mode exact.
    if (::chmod(it->c_str(), 0700) != 0) return errno_status("cannot chmod directory", *it);
  }
  return Status::Ok();
}

}  // namespace

Status prepare_database_file(const std::string& path) {
  std::filesystem::path file(path);
  if (file.has_parent_path()) {
    Status status = create_directories_0700(file.parent_path());
    if (!status.ok()) return status;
  }
  int fd = ::open(file.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::Ok();
    return errno_status("cannot create database file", file);
  }
  bool mode_ok = ::fchmod(fd, 0600) == 0;
  ::close(fd);
  if (!mode_ok) return errno_status("cannot chmod database file", file);
  return Status::Ok();
}

}  // namespace host::sqlite
