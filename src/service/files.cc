#include "service/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/errors.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"

namespace pathaudit::service {

std::string file_sha256(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw core::Error(what + " could not be read back to hash it");
  crypto::Sha256 h;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0)
    h.update(buf, static_cast<std::size_t>(in.gcount()));
  if (in.bad())
    throw core::Error(what + " could not be read back in full to hash it");
  const auto d = h.finish();
  return crypto::to_hex(d.data(), d.size());
}

void create_private_file(const std::string& path, const std::string& what) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    throw core::Error(what + " could not be created: " + std::strerror(errno));
  ::close(fd);
}

void sync_file(const std::string& path, const std::string& what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw core::Error(what + " could not be opened to sync it: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0)
    throw core::Error(what + " could not be synced to disk: " + std::strerror(errno));
  sync_directory(std::filesystem::path(path).parent_path().string());
}

void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return;  // Nothing to sync through; the file's own fsync has happened.
  ::fsync(fd);
  ::close(fd);
}

void publish_file(const std::string& from, const std::string& to) {
  if (::link(from.c_str(), to.c_str()) != 0) {
    const int err = errno;
    if (err == EEXIST)
      throw core::ValidationError(to + " exists already: pathaudit never overwrites a file");
    throw core::Error(to + " could not be created: " + std::strerror(err));
  }
  ::unlink(from.c_str());
  sync_directory(std::filesystem::path(to).parent_path().string());
}

}  // namespace pathaudit::service
