// A 256-bit symmetric key (master key, data key or pseudonym key). The object owns its bytes, is
// move-only so a key is never copied by accident (clone() is the explicit exception), and wipes the
// bytes with OPENSSL_cleanse when destroyed or moved from. A moved-from key is empty and data()
// throws, so a bug can never encrypt under an all-zero key. Const methods are safe to call from
// many threads at once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace pathaudit::crypto {

class SecretKey {
 public:
  static constexpr std::size_t kSize = 32;

  // Fresh random key. Throws core::CryptoError if the random generator fails.
  static SecretKey generate();
  // Copies `size` bytes; throws core::ValidationError unless size == kSize. The caller still owns
  // (and should cleanse) the source buffer.
  static SecretKey from_bytes(const std::uint8_t* data, std::size_t size);

  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey();

  // Explicit copy, for the rare owner that must keep its own (e.g. a Keyring built from a master
  // key that the caller still needs for re-wrapping).
  SecretKey clone() const;

  // kSize bytes, valid while this object lives. Throws core::CryptoError on a moved-from key.
  const std::uint8_t* data() const;
  static constexpr std::size_t size() { return kSize; }

 private:
  SecretKey() = default;
  void wipe() noexcept;

  std::array<std::uint8_t, kSize> bytes_{};
  bool present_ = false;
};

}  // namespace pathaudit::crypto
