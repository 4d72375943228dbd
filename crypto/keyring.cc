#include "crypto/keyring.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/errors.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/openssl_util.h"
#include "crypto/random.h"

namespace pathaudit::crypto {

namespace {

[[noreturn]] void refuse_key_file(const std::string& path, const std::string& why) {
  throw core::ValidationError("master key file " + path + ": " + why);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now and reports failure, because a failed close can mean lost data on write.
  bool close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

std::string mode_string(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

std::string wrap_aad(std::uint32_t id, std::string_view purpose) {
  std::string aad = "pathaudit/data-key|";
  aad += std::to_string(id);
  aad += '|';
  aad += purpose;
  return aad;
}

bool is_known_state(std::string_view s) {
  return s == "active" || s == "retired" || s == "shredded";
}

}  // namespace

SecretKey load_master_key_file(const std::string& path) {
  // O_NONBLOCK so a FIFO at the path is reported instead of blocking start-up; the checks are made
  // on the opened descriptor so the file cannot be swapped between check and read.
  const int raw_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (raw_fd < 0) {
    const int err = errno;
    if (err == ENOENT)
      refuse_key_file(path, "does not exist");
    refuse_key_file(path, std::string("cannot be opened: ") + std::strerror(err));
  }
  Fd fd(raw_fd);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    refuse_key_file(path, std::string("cannot be inspected: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode))
    refuse_key_file(path, "is not a regular file");
  if ((st.st_mode & 077) != 0) {
    refuse_key_file(path, "has mode " + mode_string(st.st_mode) +
                              ", which lets group or others read or write it; run chmod 400 " +
                              path);
  }
  if (st.st_size != static_cast<off_t>(SecretKey::kSize)) {
    refuse_key_file(path, "is " + std::to_string(st.st_size) + " bytes, expected " +
                              std::to_string(SecretKey::kSize) + " (raw bytes, not hex or base64)");
  }
  std::uint8_t buf[SecretKey::kSize + 1];
  detail::ScopedCleanse wipe(buf, sizeof buf);
  std::size_t got = 0;
  // Read one byte more than needed so a file that grew after fstat is caught too.
  while (got < sizeof buf) {
    const ssize_t n = ::read(fd.get(), buf + got, sizeof buf - got);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      refuse_key_file(path, std::string("cannot be read: ") + std::strerror(errno));
    }
    if (n == 0)
      break;
    got += static_cast<std::size_t>(n);
  }
  if (got != SecretKey::kSize) {
    refuse_key_file(
        path, "is " + std::to_string(got) + " bytes, expected " + std::to_string(SecretKey::kSize));
  }
  return SecretKey::from_bytes(buf, SecretKey::kSize);
}

void create_master_key_file(const std::string& path) {
  const int raw_fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
  if (raw_fd < 0) {
    const int err = errno;
    if (err == EEXIST)
      refuse_key_file(path, "already exists; refusing to overwrite it");
    refuse_key_file(path, std::string("cannot be created: ") + std::strerror(err));
  }
  Fd fd(raw_fd);
  // From here on the file is ours: remove it on any failure so a half-written key is never used.
  struct RemoveOnFailure {
    const std::string& path;
    bool done = false;
    ~RemoveOnFailure() {
      if (!done)
        ::unlink(path.c_str());
    }
  } cleanup{path};

  std::uint8_t key[SecretKey::kSize];
  detail::ScopedCleanse wipe(key, sizeof key);
  random_fill(key, sizeof key);
  std::size_t written = 0;
  while (written < sizeof key) {
    const ssize_t n = ::write(fd.get(), key + written, sizeof key - written);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      refuse_key_file(path, std::string("cannot be written: ") + std::strerror(errno));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd.get(), 0400) != 0) {
    refuse_key_file(path, std::string("cannot be made read-only: ") + std::strerror(errno));
  }
  if (::fsync(fd.get()) != 0) {
    refuse_key_file(path, std::string("cannot be synced to disk: ") + std::strerror(errno));
  }
  if (!fd.close()) {
    refuse_key_file(path, std::string("cannot be closed: ") + std::strerror(errno));
  }
  // Sync the directory too, so the new name survives a crash along with the contents.
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty())
    dir = ".";
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) {
    refuse_key_file(path, std::string("its directory cannot be synced: ") + std::strerror(errno));
  }
  cleanup.done = true;
}

Bytes wrap_data_key(const SecretKey& master, std::uint32_t id, std::string_view purpose,
                    const SecretKey& data_key) {
  if (id == 0)
    throw core::ValidationError("data key id 0 is reserved for the master key");
  return detail::seal_raw(master.data(), 0, data_key.data(), SecretKey::kSize,
                          wrap_aad(id, purpose));
}

SecretKey unwrap_data_key(const SecretKey& master, std::uint32_t id, std::string_view purpose,
                          const Bytes& wrapped) {
  const std::string what = "data key " + std::to_string(id) + " cannot be unwrapped";
  if (wrapped.size() != kSealedOverhead + SecretKey::kSize) {
    throw core::CryptoError(what + " (wrong length)");
  }
  try {
    if (sealed_key_id(wrapped) != 0)
      throw core::CryptoError("not wrapped by the master key");
    std::uint8_t key[SecretKey::kSize];
    detail::ScopedCleanse wipe(key, sizeof key);
    detail::open_raw(master.data(), wrapped, wrap_aad(id, purpose), key);
    return SecretKey::from_bytes(key, sizeof key);
  } catch (const core::CryptoError&) {
    throw core::CryptoError(what + " (wrong master key, or the record was altered)");
  }
}

Keyring::Keyring(SecretKey master, const std::vector<DataKeyRecord>& records)
    : master_(std::move(master)) {
  for (const DataKeyRecord& r : records) {
    const std::string name = "data key " + std::to_string(r.id);
    if (r.id == 0)
      throw core::ValidationError("data key id 0 is reserved for the master key");
    if (keys_.contains(r.id) || shredded_.contains(r.id)) {
      throw core::ValidationError(name + " appears twice");
    }
    if (r.purpose.empty())
      throw core::ValidationError(name + " has no purpose");
    if (!is_known_state(r.state)) {
      throw core::ValidationError(name + " has unknown state \"" + r.state + "\"");
    }
    if (r.primary) {
      if (r.state != "active") {
        throw core::ValidationError(name + " is primary but " + r.state);
      }
      if (!primary_.emplace(r.purpose, r.id).second) {
        throw core::ValidationError("purpose " + r.purpose + " has more than one primary key");
      }
    }
    if (r.state == "shredded") {
      shredded_.insert(r.id);
      continue;
    }
    Entry entry{r.purpose, unwrap_data_key(master_, r.id, r.purpose, r.wrapped), nullptr};
    if (r.purpose != kPurposeField) {
      entry.hmac = std::make_unique<HmacSha256>(entry.key.data(), SecretKey::kSize);
    }
    keys_.emplace(r.id, std::move(entry));
  }
}

const Keyring::Entry& Keyring::primary_entry(std::string_view purpose) const {
  return keys_.at(primary_id(purpose));
}

std::uint32_t Keyring::primary_id(std::string_view purpose) const {
  const auto it = primary_.find(purpose);
  if (it == primary_.end()) {
    throw core::NotFoundError("no primary data key for purpose " + std::string(purpose));
  }
  return it->second;
}

Bytes Keyring::seal(std::string_view purpose, std::string_view plaintext,
                    std::string_view associated_data) const {
  if (purpose == kPurposePseudonym) {
    throw core::ValidationError("the pseudonym key is for HMAC only, not encryption");
  }
  const std::uint32_t id = primary_id(purpose);
  return crypto::seal(keys_.at(id).key, id, plaintext, associated_data);
}

FieldSealer Keyring::sealer(std::string_view purpose) const {
  if (purpose == kPurposePseudonym) {
    throw core::ValidationError("the pseudonym key is for HMAC only, not encryption");
  }
  const std::uint32_t id = primary_id(purpose);
  return FieldSealer(keys_.at(id).key, id);
}

std::string Keyring::open(const Bytes& sealed, std::string_view associated_data) const {
  const std::uint32_t id = sealed_key_id(sealed);
  const auto it = keys_.find(id);
  if (it == keys_.end()) {
    if (shredded_.contains(id)) {
      throw core::CryptoError("sealed field was sealed with data key " + std::to_string(id) +
                              ", which has been shredded");
    }
    throw core::CryptoError("sealed field names data key " + std::to_string(id) +
                            ", which is not in the keyring");
  }
  if (it->second.purpose == kPurposePseudonym) {
    throw core::CryptoError("sealed field names data key " + std::to_string(id) +
                            ", which is not an encryption key");
  }
  return crypto::open(it->second.key, sealed, associated_data);
}

std::array<std::uint8_t, 32> Keyring::hmac(std::string_view purpose, std::string_view data) const {
  if (purpose == kPurposeField) {
    throw core::ValidationError("the field key is for encryption only, not HMAC");
  }
  return primary_entry(purpose).hmac->mac(data);
}

bool Keyring::has_key(std::uint32_t id) const {
  return keys_.contains(id);
}

bool Keyring::is_shredded(std::uint32_t id) const {
  return shredded_.contains(id);
}

}  // namespace pathaudit::crypto
